// Generated from docs/openapi.json by openapi-typescript (scripts/generate-types.mjs); do not edit.
// Regenerate with `npm run generate` after `cargo run -p e2e --bin openapi`.

export interface paths {
    "/attachments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask for an upload: the answer is a presigned S3 `PUT` that takes exactly the declared type
         *     and size (send `upload_headers` with it), valid for `expires_in` seconds. Refer to
         *     `attachment_id` in `POST /messages`; an upload no message refers to is removed after a day.
         */
        post: operations["request_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/attachments/{attachment_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download an attachment: a redirect to a fresh presigned `GET` that serves the file as a
         *     download (`Content-Disposition: attachment`) of its stored type. For the participants of
         *     its message's conversation, and for its uploader before it is attached.
         */
        get: operations["download"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/chats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's chats, a page at a time. */
        get: operations["list_chats"];
        put?: never;
        /**
         * Create a chat; the creator is always a member.
         * @description With an `Idempotency-Key`, a retry answers the chat the first request made.
         */
        post: operations["create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/chats/{chat_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A chat the caller is a member of. */
        get: operations["get_chat"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/chats/{chat_id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add a member; only members may add. A chat has at most 1,000 members.
         * @description With an `Idempotency-Key`, a retry answers the first request's chat.
         */
        post: operations["add_member"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/chats/{chat_id}/members/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a member: a member may remove itself, the creator may remove anyone.
         * @description With an `Idempotency-Key`, a retry answers the first request's chat (not 404).
         */
        delete: operations["remove_member"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Swagger UI: browse the API and try it out with a token from `POST /users/login`. */
        get: operations["swagger_ui"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a message to a user or a chat. The same sender with the same `client_message_id` gets
         *     the first message back (200), never a second copy.
         */
        post: operations["send"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/messages/chat/{chat_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A chat's messages, newest first. */
        get: operations["chat_history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/messages/conversation/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The direct conversation with a user, newest first. */
        get: operations["direct_history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/messages/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's conversations, most recent activity first. */
        get: operations["inbox"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/messages/{message_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One message of a conversation the caller takes part in. */
        get: operations["get_message"];
        /**
         * Edit a message; only its sender may.
         * @description An edit to the content the message has (a retry) changes nothing, pushes nothing and
         *     answers the message as it is.
         */
        put: operations["edit"];
        post?: never;
        /** Delete a message; only its sender may. It stays in history as a tombstone. */
        delete: operations["delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/messages/{message_id}/reactions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * React to a message; the same reaction twice changes nothing. A message takes at most 50
         *     distinct emoji and 1,000 reactions (`limit_exceeded`).
         */
        post: operations["add_reaction"];
        /** Take back a reaction: `emoji` as a query parameter (which wins) or in the body. */
        delete: operations["remove_reaction"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/messages/{message_id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Mark a message read. `read_by` records at most 1,000 readers; later reads answer 200
         *     unrecorded.
         */
        patch: operations["mark_read"];
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document, OpenAPI 3.1. */
        get: operations["openapi_document"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/redoc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** ReDoc: the API as one readable page. */
        get: operations["redoc"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every user, a page at a time. */
        get: operations["list_users"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log in: an access token for the REST API and the WebSocket API, and a refresh token to renew
         *     it. From the 6th failure within a minute for one account from one address (by default),
         *     every attempt of that pair is refused with 429 until the minute ends, right password or not.
         */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End the caller's session: its access and refresh tokens stop working and the sockets opened
         *     with them close. Other sessions of the account (other devices) go on.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's own profile. */
        get: operations["get_me"];
        /**
         * Change the caller's profile; absent fields stay as they are. A new password needs the
         *     `current_password`; a new email needs it too, unless the session logged in within the last
         *     five minutes (a refresh does not count). A wrong `current_password` counts as a failed login
         *     of the account from the caller's address, and is refused like one past the limit (429). A
         *     new password ends every session of the account (each earlier token gets 401, each socket
         *     closes) and answers with a new session's tokens beside the profile, so the caller stays
         *     logged in. `email_taken` answers are limited per address (429, then for any new email).
         */
        put: operations["update_me"];
        post?: never;
        /**
         * Delete the caller's account: its tokens stop working, its sockets close, and its username
         *     and email become free. The `current_password`, in an optional JSON body, is needed unless
         *     the session logged in within the last five minutes (a refresh does not count); a wrong one
         *     counts as a failed login of the account from the caller's address.
         */
        delete: operations["delete_me"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/me/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Set the caller's status. With a connection open it shows at once and its presence audience
         *     (direct peers, subscribers) gets a `presence` event; with none the choice is only recorded for the next connection, and the
         *     caller stays `offline`.
         */
        patch: operations["set_status"];
        trace?: never;
    };
    "/users/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Swap a refresh token for a new access and refresh pair (the old refresh token is used up).
         *     Renew before the access token's `expires_in` runs out, then reconnect the WebSocket with the
         *     new access token: a socket closes at its first frame or push after its token expired.
         *     Presenting a refresh token that was already used ends its whole session.
         */
        post: operations["refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account. */
        post: operations["register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Users whose username or display name starts with `q`, case-insensitively. One page: refine
         *     `q` to find more.
         */
        get: operations["search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Anybody's public profile. */
        get: operations["get_user"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description `DELETE /users/me`: an optional JSON body, as the other `DELETE` bodies of the API (never the
         *     query string, which logs and histories keep).
         * @example {
         *       "current_password": "correct horse battery"
         *     }
         */
        AccountDeletion: {
            /**
             * @description Required unless the session logged in within the last five minutes. A wrong one is 403
             *     and counts as a failed login of the account from the caller's address.
             */
            current_password?: string | null;
        };
        /**
         * @description A file of a message, as clients see it.
         * @example {
         *       "attachment_id": "01JDQ4A8Y3N6P9R2T5V8X1Z4B7",
         *       "checksum_sha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
         *       "content_type": "image/png",
         *       "download_url": "https://bucket.s3.us-east-1.amazonaws.com/attachments/01JDQ3Y6S1W8X5V9K2M4N7P0QR/01JDQ4A8Y3N6P9R2T5V8X1Z4B7?response-content-disposition=attachment...&X-Amz-Signature=...",
         *       "file_name": "cat.png",
         *       "size_bytes": 48213
         *     }
         */
        Attachment: {
            attachment_id: string;
            /**
             * @description The SHA-256 of the file's bytes, base64, as S3 verified it at the upload: a client may
             *     check the download against it. Empty on files attached before checksums were required.
             */
            checksum_sha256?: string;
            content_type: string;
            /**
             * @description A presigned GET, valid for a few minutes, that downloads the file as an attachment of
             *     its stored type; only in answers and events for the conversation's participants.
             *     `GET /attachments/{attachment_id}` redirects to a fresh one.
             */
            download_url?: string | null;
            file_name: string;
            /** Format: int64 */
            size_bytes: number;
        };
        /**
         * @example {
         *       "created_at": "2026-11-24T01:02:03.456Z",
         *       "created_by": "01JDQ3Y6S1W8X5V9K2M4N7P0QR",
         *       "id": "01JDQ40B5HZ3K6S9D1F4G7J2LM",
         *       "members": [
         *         "01JDQ3Y6S1W8X5V9K2M4N7P0QR",
         *         "01JDQ3YF4T2W6X8Z0B3C5D7E9G"
         *       ],
         *       "name": "Engines"
         *     }
         */
        Chat: {
            created_at: string;
            created_by: string;
            id: string;
            /** @description Sorted user ids. */
            members: string[];
            name: string;
        };
        /**
         * @description The stored inbox entry keeps the same lowercase name (`strum`).
         * @enum {string}
         */
        ConversationKind: "direct" | "chat";
        /**
         * @description `PUT /messages/{message_id}`.
         * @example {
         *       "content": "Hello again!"
         *     }
         */
        Edit: {
            content: string;
        };
        /** @description Every REST error: `{"error": {"code", "message", "field"?}}`. */
        ErrorBody: {
            error: components["schemas"]["ErrorDetail"];
        };
        /**
         * @description The contract's error codes.
         * @enum {string}
         */
        ErrorCode: "bad_request" | "validation_error" | "unauthorized" | "invalid_credentials" | "forbidden" | "not_found" | "method_not_allowed" | "username_taken" | "email_taken" | "conflict" | "limit_exceeded" | "payload_too_large" | "rate_limited" | "unavailable" | "internal";
        /**
         * @description What went wrong: the REST error body's `error`, and the data of a WebSocket `error` event.
         * @example {
         *       "code": "validation_error",
         *       "field": "name",
         *       "message": "name is required"
         *     }
         */
        ErrorDetail: {
            code: components["schemas"]["ErrorCode"];
            /** @description The offending field or query parameter, for `validation_error` only. */
            field?: string | null;
            /** @description For humans; never a stack trace or a dependency's own error. */
            message: string;
        };
        /**
         * @description An inbox entry as clients see it: exactly one of `peer` and `chat` is set, except that the
         *     peer of a deleted account is `null`.
         */
        InboxItem: {
            chat?: components["schemas"]["Chat"] | null;
            conversation_id: string;
            kind: components["schemas"]["ConversationKind"];
            last_message: components["schemas"]["Message"];
            peer?: components["schemas"]["PublicUser"] | null;
            /** Format: int64 */
            unread_count: number;
        };
        /**
         * @description `POST /users/login`: the password and either `username` (which may also hold an email) or
         *     `email`.
         * @example {
         *       "password": "correct horse battery",
         *       "username": "ada"
         *     }
         */
        Login: {
            email?: string | null;
            password: string;
            username?: string | null;
        };
        /**
         * @description A message as clients see it. A deleted message is a tombstone: empty content and no
         *     reactions, whatever a racing write may have left behind (the store renders it so).
         * @example {
         *       "attachments": [],
         *       "chat_id": null,
         *       "content": "Hello!",
         *       "conversation_id": "d.01JDQ3Y6S1W8X5V9K2M4N7P0QR.01JDQ3YF4T2W6X8Z0B3C5D7E9G",
         *       "created_at": "2026-11-24T01:02:03.456Z",
         *       "deleted": false,
         *       "edited_at": null,
         *       "id": "01JDQ41H7K9M2N4P6Q8R0S2T4V.d.01JDQ3Y6S1W8X5V9K2M4N7P0QR.01JDQ3YF4T2W6X8Z0B3C5D7E9G",
         *       "message_type": "text",
         *       "reactions": {
         *         "👍": [
         *           "01JDQ3YF4T2W6X8Z0B3C5D7E9G"
         *         ]
         *       },
         *       "read_by": [
         *         "01JDQ3YF4T2W6X8Z0B3C5D7E9G"
         *       ],
         *       "recipient_id": "01JDQ3YF4T2W6X8Z0B3C5D7E9G",
         *       "reply_to_id": null,
         *       "sender_id": "01JDQ3Y6S1W8X5V9K2M4N7P0QR",
         *       "seq": 41,
         *       "updated_seq": 43
         *     }
         */
        Message: {
            /** @description Files the sender attached (none on a tombstone). */
            attachments?: components["schemas"]["Attachment"][];
            chat_id?: string | null;
            content: string;
            conversation_id: string;
            created_at: string;
            deleted: boolean;
            edited_at?: string | null;
            id: string;
            message_type: components["schemas"]["MessageType"];
            reactions: {
                [key: string]: string[];
            };
            read_by: string[];
            recipient_id?: string | null;
            reply_to_id?: string | null;
            sender_id: string;
            /**
             * Format: int64
             * @description The conversation's sequence number when the message was created.
             */
            seq: number;
            /**
             * Format: int64
             * @description The sequence number of the message's last change (its creation, an edit, the deletion,
             *     a reaction or a read mark): `GET` history with `after_seq` returns what changed after a
             *     number.
             */
            updated_seq: number;
        };
        /**
         * @description What a message holds. The stored item keeps the same lowercase name (`strum`).
         * @enum {string}
         */
        MessageType: "text" | "image" | "file" | "system";
        /**
         * @description `POST /chats`.
         * @example {
         *       "member_ids": [
         *         "01JDQ3YF4T2W6X8Z0B3C5D7E9G"
         *       ],
         *       "name": "Engines"
         *     }
         */
        NewChat: {
            /** @description Existing users; the creator is always a member. */
            member_ids?: string[];
            name: string;
        };
        /**
         * @description `POST /chats/{chat_id}/members`.
         * @example {
         *       "user_id": "01JDQ3YF4T2W6X8Z0B3C5D7E9G"
         *     }
         */
        NewMember: {
            user_id: string;
        };
        /**
         * @description `POST /messages` and the WebSocket `sendMessage` action: exactly one of `recipient_id` and
         *     `chat_id`.
         * @example {
         *       "client_message_id": "c-42",
         *       "content": "Hello!",
         *       "recipient_id": "01JDQ3Y6S1W8X5V9K2M4N7P0QR"
         *     }
         */
        NewMessage: {
            /**
             * @description 1 to 10 of the sender's own uploads (`POST /attachments`), each not attached before and
             *     in storage with its declared size and type.
             */
            attachment_ids?: string[] | null;
            /** @description A chat the sender is a member of. */
            chat_id?: string | null;
            /** @description Idempotency key: the same sender with the same key gets the first message back. */
            client_message_id?: string | null;
            /** @description 1..4000 characters; 0..4000 with `attachment_ids`. */
            content?: string;
            message_type?: components["schemas"]["MessageType"] | null;
            /** @description The other user of a direct conversation. */
            recipient_id?: string | null;
            /** @description A message of the same conversation. */
            reply_to_id?: string | null;
        };
        /**
         * @description A page of a list, as every list endpoint answers: `next_cursor` is `null` only when nothing
         *     follows.
         */
        Page_Chat: {
            items: {
                created_at: string;
                created_by: string;
                id: string;
                /** @description Sorted user ids. */
                members: string[];
                name: string;
            }[];
            next_cursor?: string | null;
        };
        /**
         * @description A page of a list, as every list endpoint answers: `next_cursor` is `null` only when nothing
         *     follows.
         */
        Page_InboxItem: {
            items: {
                chat?: components["schemas"]["Chat"] | null;
                conversation_id: string;
                kind: components["schemas"]["ConversationKind"];
                last_message: components["schemas"]["Message"];
                peer?: components["schemas"]["PublicUser"] | null;
                /** Format: int64 */
                unread_count: number;
            }[];
            next_cursor?: string | null;
        };
        /**
         * @description A page of a list, as every list endpoint answers: `next_cursor` is `null` only when nothing
         *     follows.
         */
        Page_Message: {
            items: {
                /** @description Files the sender attached (none on a tombstone). */
                attachments?: components["schemas"]["Attachment"][];
                chat_id?: string | null;
                content: string;
                conversation_id: string;
                created_at: string;
                deleted: boolean;
                edited_at?: string | null;
                id: string;
                message_type: components["schemas"]["MessageType"];
                reactions: {
                    [key: string]: string[];
                };
                read_by: string[];
                recipient_id?: string | null;
                reply_to_id?: string | null;
                sender_id: string;
                /**
                 * Format: int64
                 * @description The conversation's sequence number when the message was created.
                 */
                seq: number;
                /**
                 * Format: int64
                 * @description The sequence number of the message's last change (its creation, an edit, the deletion,
                 *     a reaction or a read mark): `GET` history with `after_seq` returns what changed after a
                 *     number.
                 */
                updated_seq: number;
            }[];
            next_cursor?: string | null;
        };
        /**
         * @description A page of a list, as every list endpoint answers: `next_cursor` is `null` only when nothing
         *     follows.
         */
        Page_PublicUser: {
            items: {
                avatar_url?: string | null;
                bio?: string | null;
                display_name: string;
                id: string;
                last_seen_at?: string | null;
                status: components["schemas"]["Status"];
                username: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description What only the user itself sees. */
        PrivateUser: components["schemas"]["PublicUser"] & {
            created_at: string;
            email: string;
            updated_at: string;
        };
        /**
         * @description `PUT /users/me`: any of the fields; absent ones stay as they are. `null` or `""` clears
         *     `bio` and `avatar_url`. A new `password` needs the `current_password`; a new `email` needs
         *     it too unless the session logged in within the last five minutes.
         * @example {
         *       "avatar_url": null,
         *       "bio": "Analyst",
         *       "display_name": "Ada L."
         *     }
         */
        ProfileChange: {
            /** @description An http(s) URL; `""` or `null` clears it. */
            avatar_url?: string | null;
            bio?: string | null;
            /**
             * @description Required with `password`, and with `email` unless the session logged in within the last
             *     five minutes; ignored otherwise. A wrong one is 403 and counts as a failed login of the
             *     account from the caller's address.
             */
            current_password?: string | null;
            display_name?: string | null;
            /** Format: email */
            email?: string | null;
            password?: string | null;
        };
        /**
         * @description What `PUT /users/me` answers: the profile, and after a password change a new session's
         *     tokens (every earlier token of the account stopped working). The token fields are spelled
         *     out, each optional, so that the document says "absent unless the password changed".
         */
        ProfileUpdated: components["schemas"]["PrivateUser"] & {
            /** @description After a password change only. */
            access_token?: string | null;
            /** Format: int64 */
            expires_in?: number | null;
            /** Format: int64 */
            refresh_expires_in?: number | null;
            refresh_token?: string | null;
            token_type?: components["schemas"]["TokenType"] | null;
        };
        /**
         * @description What anybody may see of a user.
         * @example {
         *       "avatar_url": null,
         *       "bio": null,
         *       "display_name": "Ada Lovelace",
         *       "id": "01JDQ3Y6S1W8X5V9K2M4N7P0QR",
         *       "last_seen_at": null,
         *       "status": "online",
         *       "username": "ada"
         *     }
         */
        PublicUser: {
            avatar_url?: string | null;
            bio?: string | null;
            display_name: string;
            id: string;
            last_seen_at?: string | null;
            status: components["schemas"]["Status"];
            username: string;
        };
        /**
         * @description `POST /messages/{message_id}/reactions`, and the body form of its `DELETE`.
         * @example {
         *       "emoji": "👍"
         *     }
         */
        Reaction: {
            /**
             * @description One Unicode emoji (skin tones, ZWJ sequences and flags included) or a short code
             *     `:name:` of 1 to 32 of `[a-z0-9_+-]`.
             */
            emoji: string;
        };
        /** @description `POST /users/refresh`. */
        RefreshRequest: {
            /** @description The refresh token of the last login or refresh. */
            refresh_token: string;
        };
        /**
         * @description `POST /users/register`.
         * @example {
         *       "display_name": "Ada Lovelace",
         *       "email": "ada@example.com",
         *       "password": "correct horse battery",
         *       "username": "ada"
         *     }
         */
        Registration: {
            /** @description The username when absent. */
            display_name?: string | null;
            /**
             * Format: email
             * @description Unique, case-insensitively.
             */
            email: string;
            password: string;
            /** @description Unique, case-insensitively. */
            username: string;
        };
        /** @description What a successful login or refresh answers. */
        Session: components["schemas"]["SessionTokens"] & {
            user: components["schemas"]["PrivateUser"];
        };
        /**
         * @description A session's tokens. Renew the access token with the refresh token before `expires_in`
         *     runs out, and reconnect the WebSocket with the new one.
         */
        SessionTokens: {
            /** @description A JWT for `Authorization: Bearer <token>` and the WebSocket `?token=`. */
            access_token: string;
            /**
             * Format: int64
             * @description Seconds until the access token expires.
             */
            expires_in: number;
            /**
             * Format: int64
             * @description Seconds until the refresh token expires unless used.
             */
            refresh_expires_in: number;
            /** @description Single use: `POST /users/refresh` swaps it for a new access and refresh pair. */
            refresh_token: string;
            token_type: components["schemas"]["TokenType"];
        };
        /**
         * @description A user's status; stored under the same lowercase name (`strum`).
         * @enum {string}
         */
        Status: "online" | "away" | "busy" | "offline";
        /**
         * @description `PATCH /users/me/status`.
         * @example {
         *       "status": "busy"
         *     }
         */
        StatusChange: {
            status: components["schemas"]["Status"];
        };
        /**
         * @description The only token type the API issues.
         * @enum {string}
         */
        TokenType: "bearer";
        /**
         * @description `POST /attachments`.
         * @example {
         *       "checksum_sha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
         *       "content_type": "image/png",
         *       "file_name": "cat.png",
         *       "size_bytes": 48213
         *     }
         */
        UploadRequest: {
            /**
             * @description The SHA-256 of the file's bytes, standard base64 (44 characters). The upload URL signs
             *     it, so S3 stores exactly these bytes or refuses them (`BadDigest`), and a reused URL
             *     cannot change a file once a message carries it.
             */
            checksum_sha256: string;
            /** @description One of the configured types (`ATTACHMENT_CONTENT_TYPES`). */
            content_type: string;
            /** @description Sanitised: the last path segment, without control characters or `"<>:|?*\`. */
            file_name: string;
            /**
             * Format: int64
             * @description The exact size of the file; at most `ATTACHMENT_MAX_BYTES` (25 MiB by default).
             */
            size_bytes: number;
        };
        /**
         * @description The answer to `POST /attachments`: how to upload the bytes.
         * @example {
         *       "attachment_id": "01JDQ4A8Y3N6P9R2T5V8X1Z4B7",
         *       "expires_in": 300,
         *       "upload_headers": {
         *         "content-disposition": "attachment; filename=\"cat.png\"; filename*=UTF-8''cat.png",
         *         "content-length": "48213",
         *         "content-type": "image/png",
         *         "x-amz-checksum-sha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
         *       },
         *       "upload_method": "PUT",
         *       "upload_url": "https://bucket.s3.us-east-1.amazonaws.com/attachments/01JDQ3Y6S1W8X5V9K2M4N7P0QR/01JDQ4A8Y3N6P9R2T5V8X1Z4B7?X-Amz-Algorithm=AWS4-HMAC-SHA256&..."
         *     }
         */
        UploadTicket: {
            attachment_id: string;
            /**
             * Format: int64
             * @description Seconds the URL stays valid.
             */
            expires_in: number;
            /**
             * @description Send exactly these headers with the bytes: they are part of the signature, so S3 refuses
             *     another type or length.
             */
            upload_headers: {
                [key: string]: string;
            };
            /** @description Always `PUT`. */
            upload_method: string;
            upload_url: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    request_upload: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UploadRequest"];
            };
        };
        responses: {
            /** @description Where and how to upload the bytes */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadTicket"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    download: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An attachment id */
                attachment_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To a presigned download URL, valid for a few minutes */
            302: {
                headers: {
                    /** @description The presigned URL */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such attachment, or the caller may not see it (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_chats: {
        parameters: {
            query?: {
                /** @description Items per page. */
                limit?: number;
                /** @description `next_cursor` of the previous page; a forged or foreign cursor gives 422. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the caller's chats */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Chat"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A bad `limit` or `cursor` (`validation_error`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    create: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The caller's key for this request: 1 to 255 visible ASCII characters, quoted or not. The
                 *     same request with the same key within 24 hours answers the first answer again and
                 *     changes nothing; the same key with another request: 422 `validation_error` on
                 *     `Idempotency-Key`.
                 */
                "Idempotency-Key"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewChat"];
            };
        };
        responses: {
            /** @description The new chat */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Chat"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_chat: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A chat id */
                chat_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The chat */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Chat"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such chat, or the caller is not a member (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    add_member: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The caller's key for this request: 1 to 255 visible ASCII characters, quoted or not. The
                 *     same request with the same key within 24 hours answers the first answer again and
                 *     changes nothing; the same key with another request: 422 `validation_error` on
                 *     `Idempotency-Key`.
                 */
                "Idempotency-Key"?: string | null;
            };
            path: {
                /** @description A chat id */
                chat_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewMember"];
            };
        };
        responses: {
            /** @description The chat with its new member */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Chat"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a member (`forbidden`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such chat or user (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    remove_member: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description The caller's key for this request: 1 to 255 visible ASCII characters, quoted or not. The
                 *     same request with the same key within 24 hours answers the first answer again and
                 *     changes nothing; the same key with another request: 422 `validation_error` on
                 *     `Idempotency-Key`.
                 */
                "Idempotency-Key"?: string | null;
            };
            path: {
                /** @description A chat id */
                chat_id: string;
                /** @description The member to remove */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The chat without the member */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Chat"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Neither the member itself nor the creator (`forbidden`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such chat or member (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A malformed `Idempotency-Key`, or one used for another request (`validation_error`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    swagger_ui: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Swagger UI */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    send: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewMessage"];
            };
        };
        responses: {
            /** @description The first message sent with this `client_message_id` */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Message"];
                };
            };
            /** @description The new message */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Message"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The caller is not a member of the chat (`forbidden`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such recipient or chat (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    chat_history: {
        parameters: {
            query?: {
                /** @description Items per page. */
                limit?: number;
                /** @description `next_cursor` of the previous page; a forged or foreign cursor gives 422. */
                cursor?: string;
                /**
                 * @description Only messages created or changed after this number of the conversation's sequence,
                 *     oldest change first, each in its current state (`seq`, `updated_seq`).
                 */
                after_seq?: number;
            };
            header?: never;
            path: {
                /** @description A chat id */
                chat_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of messages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Message"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such chat, or the caller is not a member (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A bad `limit`, `cursor` or `after_seq` (`validation_error`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    direct_history: {
        parameters: {
            query?: {
                /** @description Items per page. */
                limit?: number;
                /** @description `next_cursor` of the previous page; a forged or foreign cursor gives 422. */
                cursor?: string;
                /**
                 * @description Only messages created or changed after this number of the conversation's sequence,
                 *     oldest change first, each in its current state (`seq`, `updated_seq`).
                 */
                after_seq?: number;
            };
            header?: never;
            path: {
                /** @description The other user */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of messages; empty when the two never talked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Message"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not a user id, or the caller's own (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A bad `limit`, `cursor` or `after_seq` (`validation_error`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    inbox: {
        parameters: {
            query?: {
                /** @description Items per page. */
                limit?: number;
                /** @description `next_cursor` of the previous page; a forged or foreign cursor gives 422. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the inbox */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_InboxItem"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A bad `limit` or `cursor` (`validation_error`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_message: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A message id */
                message_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The message */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Message"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such message, or the caller is not a participant (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    edit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A message id */
                message_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Edit"];
            };
        };
        responses: {
            /** @description The edited message, `edited_at` set; or, for its own content, the message unchanged */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Message"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not the sender (`forbidden`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such message (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The message is deleted (`conflict`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A message id */
                message_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not the sender (`forbidden`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such message (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    add_reaction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A message id */
                message_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Reaction"];
            };
        };
        responses: {
            /** @description The message with the reaction */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Message"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such message (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The message is deleted (`conflict`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    remove_reaction: {
        parameters: {
            query?: {
                /** @description The reaction to remove (else the body's `emoji`). */
                emoji?: string;
            };
            header?: never;
            path: {
                /** @description A message id */
                message_id: string;
            };
            cookie?: never;
        };
        /** @description The reaction, unless the query names it */
        requestBody?: {
            content: {
                "application/json": components["schemas"]["Reaction"];
            };
        };
        responses: {
            /** @description The message without the reaction */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Message"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such message (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    mark_read: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A message id */
                message_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The message with the caller in `read_by` */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Message"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such message (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    openapi_document: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
        };
    };
    redoc: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ReDoc */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    list_users: {
        parameters: {
            query?: {
                /** @description Items per page. */
                limit?: number;
                /** @description `next_cursor` of the previous page; a forged or foreign cursor gives 422. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_PublicUser"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A bad `limit` or `cursor` (`validation_error`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Login"];
            };
        };
        responses: {
            /** @description A session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `invalid_credentials`: the same answer for an unknown user and a wrong password */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Logged out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivateUser"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    update_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Every field is optional; no body at all changes nothing */
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ProfileChange"];
            };
        };
        responses: {
            /** @description The changed profile, with new tokens after a password change */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProfileUpdated"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `current_password` is wrong (`forbidden`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `email_taken`, or a concurrent change (`conflict`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    delete_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Optional: no body is the same as `{}` */
        requestBody?: {
            content: {
                "application/json": components["schemas"]["AccountDeletion"];
            };
        };
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `current_password` is wrong (`forbidden`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    set_status: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StatusChange"];
            };
        };
        responses: {
            /** @description The caller with its new status */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivateUser"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A concurrent change (`conflict`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshRequest"];
            };
        };
        responses: {
            /** @description The session's new tokens */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `unauthorized`: unknown, expired or already used (which ends the session) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Registration"];
            };
        };
        responses: {
            /** @description The new account */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivateUser"];
                };
            };
            /** @description The body is not JSON, or not a JSON object (`bad_request`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `username_taken` or `email_taken` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is over 64 KiB (`payload_too_large`). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
             *     or the change would pass a documented bound (`limit_exceeded`).
             */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    search: {
        parameters: {
            query: {
                /** @description Matches the start of usernames and display names, case-insensitively. */
                q: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Matching users; `next_cursor` is always null */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_PublicUser"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `q` or `limit` out of range (`validation_error`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublicUser"];
                };
            };
            /**
             * @description No valid token: missing, malformed, expired or tampered, for another audience, of a
             *     deleted account or of an ended session (logout, password change, reused refresh token)
             *     (`unauthorized`).
             */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such user (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
             *     Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
             *     and no `Retry-After`: back off and retry.
             */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A defect or a broken deployment (`internal`); retrying cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /**
             * @description The database or another dependency is unreachable, throttled or slow (`unavailable`);
             *     nothing was lost and the request is safe to retry after `Retry-After` seconds.
             */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
