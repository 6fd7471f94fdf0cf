// Users: profiles, status, search and the account itself (`/users/...`). Register, login,
// refresh and logout live on the client, beside the session they change.
import type { HttpTransport } from "../http.js";
import type { SessionManager } from "../session.js";
import type { Page, PageQuery, PrivateUser, ProfileChange, ProfileUpdated, PublicUser, Status } from "../wire.js";

export class UsersApi {
  constructor(
    private readonly http: HttpTransport,
    private readonly session: SessionManager,
  ) {}

  async me(): Promise<PrivateUser> {
    return (await this.http.call<PrivateUser>({ method: "GET", path: "/users/me", auth: true, idempotent: true })).body;
  }

  /**
   * A password change answers a new session and ends every other token of the account: the
   * library takes the new tokens (and its WebSocket reconnects with them). A new email or
   * password needs `current_password` unless the session logged in within five minutes:
   * otherwise `ReauthenticationRequiredError`.
   */
  async updateMe(change: ProfileChange): Promise<PrivateUser> {
    const { body } = await this.http.call<ProfileUpdated>({ method: "PUT", path: "/users/me", body: change, auth: true });
    const { access_token, refresh_token, expires_in, refresh_expires_in, token_type: _type, ...user } = body;
    if (access_token && refresh_token && expires_in != null && refresh_expires_in != null) {
      this.session.adopt({ access_token, refresh_token, expires_in, refresh_expires_in, user });
    }
    return user;
  }

  /** `PATCH /users/me/status`: with no connection open, the choice is only recorded. */
  async setStatus(status: Status): Promise<PrivateUser> {
    const path = "/users/me/status";
    return (await this.http.call<PrivateUser>({ method: "PATCH", path, body: { status }, auth: true, idempotent: true })).body;
  }

  async get(userId: string): Promise<PublicUser> {
    const path = `/users/${encodeURIComponent(userId)}`;
    return (await this.http.call<PublicUser>({ method: "GET", path, auth: true, idempotent: true })).body;
  }

  async list(query: PageQuery = {}): Promise<Page<PublicUser>> {
    const request = { method: "GET", path: "/users", query: { ...query }, auth: true, idempotent: true } as const;
    return (await this.http.call<Page<PublicUser>>(request)).body;
  }

  /** Users whose username or display name starts with `q`: one page, refine `q` for more. */
  async search(q: string, query: { limit?: number } = {}): Promise<PublicUser[]> {
    const request = { method: "GET", path: "/users/search", query: { q, ...query }, auth: true, idempotent: true } as const;
    return (await this.http.call<Page<PublicUser>>(request)).body.items;
  }

  /** Deletes the account; `currentPassword` unless the session logged in within five minutes. */
  async deleteMe(options: { currentPassword?: string } = {}): Promise<void> {
    const body = options.currentPassword === undefined ? undefined : { current_password: options.currentPassword };
    await this.http.call({ method: "DELETE", path: "/users/me", body, auth: true });
    this.session.end();
  }
}
