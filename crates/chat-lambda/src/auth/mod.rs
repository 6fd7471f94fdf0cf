//! Passwords (Argon2id) and sessions (HS256 JWTs).

pub mod password;
pub mod token;

pub use password::Passwords;
pub use token::Tokens;
