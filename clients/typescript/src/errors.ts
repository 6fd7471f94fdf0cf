// The contract's errors as values a caller can branch on: `instanceof` a subclass, or `code`.
import type { ErrorCode } from "./wire.js";

/** Codes the service never sends but the library reports with the same shape. */
export type ClientErrorCode =
  | "edge_throttled" // API Gateway's own 429, `{"message":"Too Many Requests"}`, no Retry-After
  | "gateway_error" // any other answer without the contract's error body
  | "session_ended" // the refresh token was refused: log in again
  | "not_logged_in";

export class ChatApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    /** The field a `validation_error` names (a body field, a query parameter or a header). */
    readonly field?: string,
    /** Seconds the service asks to wait (`Retry-After`), when it says. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = new.target.name;
  }
}

export class ValidationError extends ChatApiError {
  declare readonly field: string;
}

/**
 * A password or email change, or an account deletion, needs `current_password` because the
 * session did not log in within the last five minutes: ask the user for the password and
 * call again with it.
 */
export class ReauthenticationRequiredError extends ValidationError {}

/** 429: the service's per-caller limit (with `retryAfterSeconds`) or the edge throttle (without). */
export class RateLimitedError extends ChatApiError {}

/** 422 `limit_exceeded`: a documented bound (members, reactions, storage, connections). */
export class LimitExceededError extends ChatApiError {}

/** 401 that a refresh could not cure, or a refresh token refused (the session is over). */
export class UnauthorizedError extends ChatApiError {}

export class SessionEndedError extends UnauthorizedError {
  constructor(message = "the session ended; log in again") {
    super(401, "session_ended", message);
  }
}

export class NotFoundError extends ChatApiError {}
export class ForbiddenError extends ChatApiError {}
export class ConflictError extends ChatApiError {}
/** 503 `unavailable`: a dependency failed; safe to retry after `retryAfterSeconds`. */
export class UnavailableError extends ChatApiError {}

/** The error an answer stands for, from its status, body and `Retry-After`. */
export function errorFromAnswer(status: number, body: unknown, retryAfter: string | null): ChatApiError {
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  const detail = (body as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
  if (!detail?.code) {
    const message = (body as { message?: string } | null)?.message ?? `HTTP ${status}`;
    if (status === 429) return new RateLimitedError(status, "edge_throttled", message, undefined, retryAfterSeconds);
    return new ChatApiError(status, "gateway_error", message, undefined, retryAfterSeconds);
  }
  const code = detail.code as ErrorCode;
  const message = detail.message ?? code;
  const args = [status, code, message, detail.field, retryAfterSeconds] as const;
  switch (code) {
    case "validation_error":
      return detail.field === "current_password" ? new ReauthenticationRequiredError(...args) : new ValidationError(...args);
    case "rate_limited":
      return new RateLimitedError(...args);
    case "limit_exceeded":
      return new LimitExceededError(...args);
    case "unauthorized":
    case "invalid_credentials":
      return new UnauthorizedError(...args);
    case "not_found":
      return new NotFoundError(...args);
    case "forbidden":
      return new ForbiddenError(...args);
    case "conflict":
    case "username_taken":
    case "email_taken":
      return new ConflictError(...args);
    case "unavailable":
      return new UnavailableError(...args);
    default:
      return new ChatApiError(...args);
  }
}

function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}
