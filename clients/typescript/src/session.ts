// The session: the access token every call and the WebSocket use, renewed before it expires
// with the single-use refresh token. Rotation is the hard part: a refresh token presented twice
// ends the whole session, so exactly one refresh may be in flight, every caller waiting for a
// token joins it, and a refresh whose answer was lost is never sent again by itself.
import { ChatApiError, SessionEndedError, UnauthorizedError } from "./errors.js";
import type { HttpTransport } from "./http.js";
import type { PrivateUser, Session } from "./wire.js";

/** What an application may persist (for example in `localStorage`) and restore later. */
export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  accessExpiresAt: number;
  refreshExpiresAt: number;
  /** When the library refreshes: the margin before `accessExpiresAt`. */
  refreshAt: number;
  user: PrivateUser;
}

export interface SessionOptions {
  /** Refresh this long before the access token expires (default 120 s; at most half its life). */
  refreshMarginSeconds?: number;
  /** Called with every new pair of tokens, and with `null` when the session ends. */
  onChange?: (session: StoredSession | null) => void;
}

type Listener<T> = (value: T) => void;

export class SessionManager {
  private state: StoredSession | null = null;
  private inFlight: Promise<StoredSession> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly refreshedListeners = new Set<Listener<StoredSession>>();
  private readonly endedListeners = new Set<Listener<void>>();
  private readonly marginMs: number;

  constructor(
    private readonly http: HttpTransport,
    private readonly options: SessionOptions = {},
  ) {
    this.marginMs = (options.refreshMarginSeconds ?? 120) * 1000;
  }

  get current(): StoredSession | null {
    return this.state;
  }

  get user(): PrivateUser {
    if (!this.state) throw new UnauthorizedError(401, "not_logged_in", "no session: log in first");
    return this.state.user;
  }

  /** Takes the tokens of a login, a refresh or a password change. */
  adopt(answer: Pick<Session, "access_token" | "refresh_token" | "expires_in" | "refresh_expires_in"> & { user?: PrivateUser }): StoredSession {
    const now = Date.now();
    const user = answer.user ?? this.state?.user;
    if (!user) throw new Error("a session needs its user");
    const lifetimeMs = answer.expires_in * 1000;
    return this.restore({
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      accessExpiresAt: now + lifetimeMs,
      refreshAt: now + lifetimeMs - Math.min(this.marginMs, lifetimeMs / 2),
      refreshExpiresAt: now + answer.refresh_expires_in * 1000,
      user,
    });
  }

  restore(stored: StoredSession): StoredSession {
    this.state = stored;
    this.scheduleRefresh();
    this.options.onChange?.(stored);
    return stored;
  }

  /** The access token, refreshed first when it is within the margin of its expiry. */
  async accessToken(): Promise<string> {
    const state = this.state;
    if (!state) throw new UnauthorizedError(401, "not_logged_in", "no session: log in first");
    if (this.inFlight || Date.now() >= state.refreshAt) return (await this.refresh()).accessToken;
    return state.accessToken;
  }

  /** Swaps the refresh token for a new pair; concurrent callers share one request. */
  refresh(): Promise<StoredSession> {
    this.inFlight ??= this.swapRefreshToken().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** A call answered 401 with `usedToken`: refresh, unless somebody already did. */
  async refreshAfterUnauthorized(usedToken: string): Promise<void> {
    if (this.inFlight) {
      await this.inFlight;
      return;
    }
    if (this.state && this.state.accessToken !== usedToken) return;
    await this.refresh();
  }

  /** Forgets the session locally (after logout, or when the service ended it). */
  end(): void {
    const hadSession = this.state !== null;
    this.state = null;
    clearTimeout(this.timer);
    if (hadSession) {
      this.options.onChange?.(null);
      for (const listener of this.endedListeners) listener();
    }
  }

  onRefreshed(listener: Listener<StoredSession>): () => void {
    this.refreshedListeners.add(listener);
    return () => this.refreshedListeners.delete(listener);
  }

  onEnded(listener: Listener<void>): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /** Stops the refresh timer (the session stays usable). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async swapRefreshToken(): Promise<StoredSession> {
    const state = this.state;
    if (!state) throw new SessionEndedError("no session to refresh");
    try {
      const answer = await this.http.call<Session>({
        method: "POST",
        path: "/users/refresh",
        body: { refresh_token: state.refreshToken },
      });
      const renewed = this.adopt(answer.body);
      for (const listener of this.refreshedListeners) listener(renewed);
      return renewed;
    } catch (error) {
      // Unknown, expired or already used: the service has ended the session (a reuse ends
      // every token descended from the login), so holding on to it would only fail later.
      if (error instanceof ChatApiError && error.status === 401) {
        if (this.state === state) this.end();
        throw new SessionEndedError(`the refresh token was refused (${error.message}); log in again`);
      }
      throw error;
    }
  }

  private scheduleRefresh(): void {
    clearTimeout(this.timer);
    const state = this.state;
    if (!state) return;
    const delay = Math.max(0, state.refreshAt - Date.now());
    this.timer = setTimeout(() => {
      // A failure other than the end of the session (a network blip) is tried again soon;
      // the end of the session has told its listeners already.
      this.refresh().catch((error) => {
        if (!(error instanceof SessionEndedError) && this.state === state) {
          this.timer = setTimeout(() => this.scheduleRefresh(), 5000);
        }
      });
    }, Math.min(delay, 2 ** 31 - 1));
    (this.timer as { unref?: () => void }).unref?.();
  }
}
