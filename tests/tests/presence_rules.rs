//! Presence as users feel it (issue 14, "Cover what users feel", item 2), over real sockets:
//! a `PATCH /users/me/status` reaches the user's direct-message peers and the connections that
//! subscribed to it as a `presence` event (issue 13: chat members only when they subscribed);
//! a chosen `away`/`busy` survives reconnects; `last_seen_at` is the moment the user went
//! offline; and everybody else hears nothing, proven by checkpoints (a message to their socket,
//! caused after everything else, must be the first thing about the user they see).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime};

use chat_core::time::format_rfc3339;
use e2e::direct::{api_user, app};
use e2e::ws::{Socket, hears_nothing_about, presence_about, presence_now};
use e2e::{Api, TestUser};
use serde_json::{Value, json};

/// How far `last_seen_at` may lie from the instants that bracket the disconnect: a loaded
/// two-core machine keeps it, and it is still far tighter than a stale or made-up time.
const CLOCK_MARGIN: Duration = Duration::from_secs(5);

async fn set_status(api: &Api, user: &TestUser, status: &str) {
    let reply = api
        .patch("/users/me/status", &user.token, json!({"status": status}))
        .await;
    assert_eq!(reply.expect(200)["status"], status);
}

/// The status another user reads with `GET /users/{id}`.
async fn status_seen_by(api: &Api, watcher: &TestUser, user: &TestUser) -> Value {
    let seen = api
        .get(&format!("/users/{}", user.id), &watcher.token)
        .await;
    seen.expect(200).clone()
}

/// Waits on `socket` for `user`'s presence saying `status`, with no other presence of `user`
/// before it; the event's data, checked to carry exactly what the contract lists.
async fn hears(socket: &mut Socket, user: &TestUser, status: &str) -> Value {
    let (event, _) = socket
        .checkpoint(presence_now(&user.id, status), presence_about(&user.id))
        .await;
    let data = event["data"].clone();
    let mut fields: Vec<&str> = data
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["last_seen_at", "status", "user_id"], "{data:#}");
    data
}

/// `last_seen_at` is a timestamp between `from` and `to`, give or take [`CLOCK_MARGIN`]
/// (the contract's timestamps have a fixed width, so string order is time order).
fn assert_fresh(last_seen_at: &Value, from: SystemTime, to: SystemTime) -> String {
    let at = last_seen_at
        .as_str()
        .unwrap_or_else(|| panic!("last_seen_at is not a timestamp: {last_seen_at}"));
    let earliest = format_rfc3339(from - CLOCK_MARGIN);
    let latest = format_rfc3339(to + CLOCK_MARGIN);
    assert!(
        earliest.as_str() <= at && at <= latest.as_str(),
        "last_seen_at {at} is not the disconnect's time (between {earliest} and {latest})"
    );
    at.to_owned()
}

/// A user, a direct contact of it, and that contact's open socket.
async fn watched(prefix: &str) -> (Api, TestUser, TestUser, Socket) {
    let api = Api::new();
    let app = app().await;
    let me = api_user(&app, prefix).await;
    let watcher = api_user(&app, &format!("{prefix}W")).await;
    api.send_direct(&me, &watcher, "we are contacts now").await;
    let watching = Socket::connect(&watcher.token).await;
    (api, me, watcher, watching)
}

#[tokio::test]
async fn a_status_change_reaches_direct_peers_and_subscribers_and_no_one_else() {
    let api = Api::new();
    let app = app().await;
    let user = |p: &'static str| api_user(&app, p);
    let me = user("prMe").await;
    let direct = user("prDirect").await;
    let member = user("prMember").await;
    let subscriber = user("prSub").await;
    let non_contact = user("prNon").await;
    let outsider = user("prOut").await;
    let pinger = user("prPing").await;
    // `direct` knows `me` by a direct conversation, `member` by a chat only, `subscriber` not
    // at all (it subscribes). The non-contact is a direct peer of `direct` and shares a chat
    // with `member`, never anything with `me`.
    api.send_direct(&me, &direct, "we are contacts now").await;
    api.create_chat(&member, &[&me]).await;
    api.send_direct(&non_contact, &direct, "I know direct")
        .await;
    api.create_chat(&member, &[&non_contact]).await;

    let mut non_contact_socket = Socket::connect(&non_contact.token).await;
    let mut outsider_socket = Socket::connect(&outsider.token).await;
    let mut direct_socket = Socket::connect(&direct.token).await;
    let mut member_socket = Socket::connect(&member.token).await;
    let mut subscriber_socket = Socket::connect(&subscriber.token).await;
    let snapshot = subscriber_socket.subscribe_presence(&[&me.id]).await;
    assert_eq!(
        snapshot,
        [json!({"user_id": me.id, "status": "offline", "last_seen_at": null})]
    );
    let _me_socket = Socket::connect(&me.token).await;
    for socket in [&mut direct_socket, &mut subscriber_socket] {
        hears(socket, &me, "online").await;
    }

    for status in ["busy", "away", "online"] {
        set_status(&api, &me, status).await;
        for socket in [&mut direct_socket, &mut subscriber_socket] {
            let data = hears(socket, &me, status).await;
            assert_eq!(data["user_id"], me.id.as_str());
            assert_eq!(data["last_seen_at"], Value::Null, "me never went offline");
        }
    }

    // A chat member hears nothing of it by default: the chat no longer spreads presence.
    for (watcher, socket) in [
        (&member, &mut member_socket),
        (&non_contact, &mut non_contact_socket),
        (&outsider, &mut outsider_socket),
    ] {
        hears_nothing_about(&api, &pinger, watcher, socket, &me).await;
    }
    // The non-contact's socket does hear presence: that of its direct peer, who connected after
    // it; not that of `member`, with whom it only shares a chat.
    non_contact_socket
        .expect_where("presence", presence_now(&direct.id, "online"))
        .await;
    hears_nothing_about(
        &api,
        &pinger,
        &non_contact,
        &mut non_contact_socket,
        &member,
    )
    .await;

    // Once the member subscribes, it hears the next change.
    let snapshot = member_socket.subscribe_presence(&[&me.id]).await;
    assert_eq!(snapshot[0]["status"], "online", "{snapshot:#?}");
    set_status(&api, &me, "busy").await;
    hears(&mut member_socket, &me, "busy").await;
}

#[tokio::test]
async fn a_chosen_away_or_busy_survives_reconnects_and_online_clears_it() {
    let (api, me, watcher, mut watching) = watched("prStay").await;

    let mut sockets = vec![
        Socket::connect(&me.token).await,
        Socket::connect(&me.token).await,
    ];
    hears(&mut watching, &me, "online").await;
    for chosen in ["away", "busy"] {
        set_status(&api, &me, chosen).await;
        hears(&mut watching, &me, chosen).await;
        // Every socket closes: offline (the choice is not shown to anyone while away).
        for socket in sockets.drain(..) {
            socket.close().await;
        }
        let offline = hears(&mut watching, &me, "offline").await;
        assert!(offline["last_seen_at"].is_string(), "{offline:#}");
        assert_eq!(
            status_seen_by(&api, &watcher, &me).await["status"],
            "offline"
        );

        // Reconnecting brings back the choice, never `online`, on every socket that opens.
        sockets.push(Socket::connect(&me.token).await);
        hears(&mut watching, &me, chosen).await;
        sockets.push(Socket::connect(&me.token).await);
        assert_eq!(status_seen_by(&api, &watcher, &me).await["status"], chosen);
        let mine = api.get("/users/me", &me.token).await;
        assert_eq!(mine.expect(200)["status"], chosen);
    }
    // The second socket above opened with no presence event: the next one is the change below.
    set_status(&api, &me, "online").await;
    hears(&mut watching, &me, "online").await;
    for socket in sockets.drain(..) {
        socket.close().await;
    }
    hears(&mut watching, &me, "offline").await;
    let _again = Socket::connect(&me.token).await;
    hears(&mut watching, &me, "online").await;
    assert_eq!(
        status_seen_by(&api, &watcher, &me).await["status"],
        "online"
    );
}

#[tokio::test]
async fn last_seen_at_is_when_the_user_went_offline() {
    let (api, me, watcher, mut watching) = watched("prSeen").await;

    let mut previous: Option<String> = None;
    for _round in 0..2 {
        let socket = Socket::connect(&me.token).await;
        let online = hears(&mut watching, &me, "online").await;
        // While online, the contacts keep the last time the user was seen going away.
        assert_eq!(online["last_seen_at"].as_str(), previous.as_deref());
        let closing = SystemTime::now();
        socket.close().await;
        let offline = hears(&mut watching, &me, "offline").await;
        let seen = assert_fresh(&offline["last_seen_at"], closing, SystemTime::now());
        if let Some(previous) = &previous {
            assert!(
                seen.as_str() > previous.as_str(),
                "last_seen_at {seen} is not later than the previous disconnect's {previous}"
            );
        }
        let stored = status_seen_by(&api, &watcher, &me).await;
        assert_eq!(stored["status"], "offline");
        assert_eq!(stored["last_seen_at"].as_str(), Some(seen.as_str()));
        previous = Some(seen);
    }

    // Choosing `offline` while connected stamps the moment too.
    let _socket = Socket::connect(&me.token).await;
    hears(&mut watching, &me, "online").await;
    let choosing = SystemTime::now();
    set_status(&api, &me, "offline").await;
    let offline = hears(&mut watching, &me, "offline").await;
    let seen = assert_fresh(&offline["last_seen_at"], choosing, SystemTime::now());
    assert!(seen.as_str() > previous.unwrap().as_str());
}

/// `PATCH /users/me/status` as a user with no open connection answers with it (200, the
/// private user) and what it shows now.
async fn choose_while_offline(api: &Api, user: &TestUser, status: &str) {
    let reply = api
        .patch("/users/me/status", &user.token, json!({"status": status}))
        .await;
    let body = reply.expect(200);
    assert_eq!(
        body["status"], "offline",
        "chose {status} with no connection"
    );
    assert_eq!(body["email"], user.email.as_str(), "{body:#}");
}

/// Presence follows live connections: with none open, a status request only records the
/// choice. The user stays `offline` for everyone and nobody hears a thing, until its next
/// connection shows the choice; `online` clears it.
#[tokio::test]
async fn a_status_chosen_with_no_connection_shows_at_the_next_one() {
    let (api, me, watcher, mut watching) = watched("prIdle").await;

    choose_while_offline(&api, &me, "busy").await;
    assert_eq!(
        status_seen_by(&api, &watcher, &me).await["status"],
        "offline"
    );
    assert_eq!(
        api.get("/users/me", &me.token).await.expect(200)["status"],
        "offline"
    );
    hears_nothing_about(&api, &me, &watcher, &mut watching, &me).await;

    let socket = Socket::connect(&me.token).await;
    hears(&mut watching, &me, "busy").await;
    assert_eq!(status_seen_by(&api, &watcher, &me).await["status"], "busy");
    socket.close().await;
    hears(&mut watching, &me, "offline").await;

    // `online` with no connection clears the choice, still shown to nobody.
    choose_while_offline(&api, &me, "online").await;
    choose_while_offline(&api, &me, "offline").await;
    hears_nothing_about(&api, &me, &watcher, &mut watching, &me).await;
    let _socket = Socket::connect(&me.token).await;
    hears(&mut watching, &me, "online").await;
    assert_eq!(
        status_seen_by(&api, &watcher, &me).await["status"],
        "online"
    );
}
