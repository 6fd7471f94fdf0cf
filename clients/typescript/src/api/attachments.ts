// Attachments: the bytes go straight to S3 through presigned URLs, never through the API.
import { ChatApiError } from "../errors.js";
import type { FetchLike, HttpTransport } from "../http.js";
import type { UploadRequest, UploadTicket } from "../wire.js";

export interface FileToUpload {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

export class AttachmentsApi {
  constructor(
    private readonly http: HttpTransport,
    private readonly fetchImpl: FetchLike,
  ) {}

  /** `POST /attachments`: reserves the upload (it counts against the quota from now on). */
  async requestUpload(request: UploadRequest): Promise<UploadTicket> {
    return (await this.http.call<UploadTicket>({ method: "POST", path: "/attachments", body: request, auth: true })).body;
  }

  /** Requests the upload, then `PUT`s the bytes with exactly the signed headers; returns its id. */
  async upload(file: FileToUpload): Promise<string> {
    const ticket = await this.requestUpload({
      file_name: file.fileName,
      content_type: file.contentType,
      size_bytes: file.bytes.byteLength,
      checksum_sha256: await sha256Base64(file.bytes),
    });
    // Fetch sets Content-Length itself from the body, and refuses it as a header in browsers.
    const { "content-length": _length, ...headers } = ticket.upload_headers as Record<string, string>;
    const answer = await this.fetchImpl(ticket.upload_url, { method: ticket.upload_method, headers, body: file.bytes as BodyInit });
    if (!answer.ok) {
      throw new ChatApiError(answer.status, "gateway_error", `the storage refused the upload: ${await answer.text()}`);
    }
    return ticket.attachment_id;
  }

  /**
   * A fresh presigned download URL (`GET /attachments/{id}` answers 302 to it). Browsers hide
   * a redirect's target from scripts: there, use the message's `download_url` instead.
   */
  async downloadUrl(attachmentId: string): Promise<string> {
    const path = `/attachments/${encodeURIComponent(attachmentId)}`;
    const answer = await this.http.call({ method: "GET", path, auth: true, idempotent: true, redirect: "manual" });
    const location = answer.headers.get("location");
    if (!location) throw new ChatApiError(answer.status, "gateway_error", "no redirect to the file");
    return location;
  }

  /** The bytes behind a presigned download URL. */
  async download(url: string): Promise<Uint8Array> {
    const answer = await this.fetchImpl(url);
    if (!answer.ok) throw new ChatApiError(answer.status, "gateway_error", `the storage refused the download`);
    return new Uint8Array(await answer.arrayBuffer());
  }
}

/** The SHA-256 of the bytes in standard base64, as `checksum_sha256` takes it. */
export async function sha256Base64(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes as BufferSource));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
