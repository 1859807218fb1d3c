//! Watch: a chunked stream of `{"type":..,"object":..}` lines fed from the store's per-table
//! history, with selectors applied to transitions (an object that stops matching is sent as
//! DELETED, one that starts matching as ADDED), bookmarks, timeouts and 410 for compacted
//! resourceVersions.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::handlers::Selectors;
use crate::objects::{gr, render};
use crate::registry::ResourceInfo;
use crate::server::Ctx;
use crate::state::Shared;
use crate::status::{ApiError, ApiResult};
use crate::store::{EventType, GroupResource};

const BOOKMARK_EVERY: Duration = Duration::from_secs(2);

struct Filter {
    sel: Selectors,
    name: String,
}

impl Filter {
    fn matches(&self, v: &Value) -> bool {
        (self.name.is_empty() || crate::objects::name_of(v) == self.name) && self.sel.matches(v)
    }
}

fn line(kind: &str, object: &Value) -> Bytes {
    let mut buf = serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
    buf.push(b'\n');
    Bytes::from(buf)
}

fn bookmark(info: &ResourceInfo, rv: u64, initial_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line(
        "BOOKMARK",
        &json!({"kind": info.kind, "apiVersion": info.api_version(), "metadata": meta}),
    )
}

fn gone(requested: u64, oldest: u64) -> Bytes {
    let e = ApiError::gone(format!("too old resource version: {requested} ({oldest})"));
    line("ERROR", &e.to_status())
}

struct Stream {
    shared: Arc<Shared>,
    info: ResourceInfo,
    gr: GroupResource,
    filter: Filter,
    ns: Option<String>,
    tx: mpsc::Sender<Result<Bytes, Infallible>>,
    as_table: bool,
    as_metadata: bool,
    ctx_accept: String,
}

impl Stream {
    fn in_scope(&self, v: &Value) -> bool {
        match &self.ns {
            Some(ns) => v.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns),
            None => true,
        }
    }

    fn wants(&self, v: &Value) -> bool {
        self.in_scope(v) && self.filter.matches(v)
    }

    async fn send(&self, kind: &str, obj: &Value) -> bool {
        let obj = render(&self.info, obj);
        let obj = if self.as_table {
            crate::glue::table_for_watch(&self.ctx_accept, &self.info, &obj).unwrap_or(obj)
        } else if self.as_metadata {
            crate::table::partial_metadata(&obj)
        } else {
            obj
        };
        self.tx.send(Ok(line(kind, &obj))).await.is_ok()
    }

    async fn run(
        self,
        start: u64,
        initial: Vec<Arc<Value>>,
        bookmarks: bool,
        initial_end: bool,
        timeout: Duration,
    ) {
        for obj in &initial {
            if self.wants(obj) && !self.send("ADDED", obj).await {
                return;
            }
        }
        if initial_end
            && bookmarks
            && self
                .tx
                .send(Ok(bookmark(&self.info, start, true)))
                .await
                .is_err()
        {
            return;
        }
        let mut notify = self.shared.store.subscribe(&self.gr);
        let mut dropped = self.shared.drop_watches.subscribe();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut tick = tokio::time::interval(BOOKMARK_EVERY);
        tick.tick().await;
        let mut last = start;
        loop {
            notify.mark_unchanged();
            match self.shared.store.events_after(&self.gr, last) {
                Err(too_old) => {
                    let _ = self.tx.send(Ok(gone(last, too_old.oldest))).await;
                    return;
                }
                Ok((events, _)) => {
                    for e in events {
                        last = e.rv;
                        let now = self.wants(&e.object);
                        let before = e.prev.as_ref().is_some_and(|p| self.wants(p));
                        let kind = match (e.kind, before, now) {
                            (EventType::Added, _, true) => "ADDED",
                            (EventType::Modified, true, true) => "MODIFIED",
                            (EventType::Modified, false, true) => "ADDED",
                            (EventType::Modified, true, false) => "DELETED",
                            (EventType::Deleted, b, n) if b || n => "DELETED",
                            _ => continue,
                        };
                        if !self.send(kind, &e.object).await {
                            return;
                        }
                    }
                }
            }
            tokio::select! {
                changed = notify.changed() => if changed.is_err() { return },
                _ = dropped.changed() => return,
                _ = &mut deadline => return,
                _ = self.tx.closed() => return,
                _ = tick.tick() => {
                    if bookmarks {
                        match self.shared.store.events_after(&self.gr, last) {
                            Ok((events, rv)) if events.is_empty() => {
                                last = rv;
                                if self.tx.send(Ok(bookmark(&self.info, rv, false))).await.is_err() {
                                    return;
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}

pub async fn serve(ctx: &Ctx, info: &ResourceInfo, ns: &str, name: &str) -> ApiResult<Response> {
    let sel = Selectors::from_ctx(ctx, info)?;
    let rv_param = ctx.q("resourceVersion").unwrap_or("");
    let send_initial = ctx.q("sendInitialEvents").map(|v| v == "true");
    let bookmarks = ctx.flag("allowWatchBookmarks");
    let timeout = ctx
        .q("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|t| *t > 0)
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let g = gr(info);
    let store = &ctx.shared.store;
    let from_state = send_initial == Some(true)
        || (send_initial.is_none() && (rv_param.is_empty() || rv_param == "0"));
    let (start, initial) = if from_state {
        let (objs, rv) = store.snapshot(&g);
        (rv, objs)
    } else if rv_param.is_empty() || rv_param == "0" {
        (store.current_rv(), Vec::new())
    } else {
        let rv: u64 = rv_param
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv_param}")))?;
        (rv, Vec::new())
    };
    let (tx, rx) = mpsc::channel(256);
    let stream = Stream {
        shared: ctx.shared.clone(),
        info: info.clone(),
        gr: g,
        filter: Filter {
            sel,
            name: name.to_string(),
        },
        ns: if info.namespaced && !ns.is_empty() {
            Some(ns.to_string())
        } else {
            None
        },
        tx,
        as_table: ctx.accept().contains("as=Table"),
        as_metadata: crate::table::wants_partial_metadata(ctx.accept()),
        ctx_accept: ctx.accept().to_string(),
    };
    tokio::spawn(stream.run(
        start,
        initial,
        bookmarks,
        send_initial == Some(true),
        timeout,
    ));
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let mut resp = Response::new(body);
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}
