// One REST call: JSON in and out, the bearer token, the contract's errors as typed values, and
// the retries that are safe: a 401 refreshes the session once and tries once more; a 429 waits
// what `Retry-After` says (or backs off, for the edge throttle) and tries again; a 503 or a
// lost answer is retried only for requests that the contract makes idempotent.
import { ChatApiError, RateLimitedError, UnauthorizedError, errorFromAnswer } from "./errors.js";
import type { SessionManager } from "./session.js";
import { jitteredBackoffMs, sleep } from "./timing.js";

export type FetchLike = typeof globalThis.fetch;

export interface RetryPolicy {
  /** How many times one call waits out a 429 or a 503 before throwing it (default 3). */
  maxRetries: number;
  /** A `Retry-After` longer than this is thrown at once instead of waited (default 60 s). */
  maxWaitSeconds: number;
}

export interface Request {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sends the session's access token (every route but register, login and refresh). */
  auth?: boolean;
  /**
   * The contract says sending it again changes nothing (reads, sends with their
   * `client_message_id`, edits, deletes, reactions, keyed chat changes): a 503 or a lost
   * answer is retried. Never set for a refresh: a refresh token used twice ends the session.
   */
  idempotent?: boolean;
  /** For `GET /attachments/{id}`: keep the 302 instead of following it. */
  redirect?: "manual";
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export class HttpTransport {
  constructor(
    private readonly apiUrl: string,
    private readonly fetchImpl: FetchLike,
    private readonly retry: RetryPolicy,
    private session?: SessionManager,
  ) {}

  attach(session: SessionManager): void {
    this.session = session;
  }

  async call<T>(request: Request): Promise<Answer<T>> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const token = request.auth ? await this.requireSession().accessToken() : undefined;
      let response: Response;
      try {
        response = await this.send(request, token);
      } catch (lost) {
        if (request.idempotent && attempt < this.retry.maxRetries) {
          await sleep(jitteredBackoffMs(attempt, 250, 4000));
          continue;
        }
        throw lost;
      }
      if (response.ok || (request.redirect === "manual" && response.status === 302)) {
        return { status: response.status, body: (await readJson(response)) as T, headers: response.headers };
      }
      const error = errorFromAnswer(response.status, await readJson(response), response.headers.get("retry-after"));
      if (response.status === 401 && token !== undefined && !refreshed) {
        // Another call may have refreshed meanwhile; only a token still current is refreshed.
        await this.requireSession().refreshAfterUnauthorized(token);
        refreshed = true;
        continue;
      }
      const wait = this.retryWaitMs(error, request, attempt);
      if (wait === undefined) throw error;
      await sleep(wait);
    }
  }

  private retryWaitMs(error: ChatApiError, request: Request, attempt: number): number | undefined {
    if (attempt >= this.retry.maxRetries) return undefined;
    // A 429 is a refusal: nothing happened, so any request may be sent again.
    const retryable =
      error instanceof RateLimitedError || (error.code === "unavailable" && request.idempotent === true);
    if (!retryable) return undefined;
    if (error.retryAfterSeconds === undefined) return 1000 + jitteredBackoffMs(attempt, 1000, 16_000);
    if (error.retryAfterSeconds > this.retry.maxWaitSeconds) return undefined;
    // A little past the window's end, so that the retry does not land in the same window.
    return error.retryAfterSeconds * 1000 + 100 + jitteredBackoffMs(0, 250, 250);
  }

  private send(request: Request, token: string | undefined): Promise<Response> {
    const url = new URL(this.apiUrl.replace(/\/+$/, "") + request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: "application/json", ...request.headers };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (request.body !== undefined) headers["content-type"] = "application/json";
    return this.fetchImpl(url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      redirect: request.redirect ?? "follow",
    });
  }

  private requireSession(): SessionManager {
    if (!this.session) throw new UnauthorizedError(401, "not_logged_in", "no session: log in first");
    return this.session;
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
