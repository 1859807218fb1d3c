//! The axum application: routes, middleware, start-up and graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::Authenticator;
use crate::auth::authenticator::parse_group_roles;
use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::sar::SveltosAccess;
use crate::auth::token_review::{KubeTokenReviewer, TokenReviewer};
use crate::cluster_client;
use crate::config::ServeConfig;
use crate::error::{Error, Result};
use crate::fleet::cache::FleetCache;
use crate::http::{graphiql, graphql, ops, ws};
use crate::live::Live;
use crate::metrics::Metrics;
use crate::readiness::Readiness;
use crate::schema::{self, Features, SchemaDeps};
use crate::state::AppState;
use crate::store::Store;

/// Opens the store (migrating it) and assembles the schema and shared state.
pub async fn build_state(config: &ServeConfig) -> Result<AppState> {
    let store = Store::open(&config.store).await?;
    let metrics = Arc::new(Metrics::new());
    let management_cluster = cluster_client::management_client(&config.kube).await?;
    let management = management_cluster.as_ref().map(|m| m.client.clone());
    let auth = Arc::new(authenticator(config, management.clone())?);
    let features = features(config, &store, &auth, management.is_some());
    let readiness = Readiness::default();
    let fleet = match &management {
        Some(client) => FleetCache::start(client.clone(), readiness.clone()),
        None => FleetCache::disconnected(),
    };
    let access = SveltosAccess::new(
        management_cluster,
        Duration::from_secs(config.auth.auth_cache_ttl_secs),
    );
    let live = Live::start(&fleet, metrics.live.clone());
    let tenancy = crate::tenancy::Tenancy::from_config(
        &config.tenancy,
        store.clone(),
        auth.jwt_keys().cloned(),
    )?;
    let schema = schema::build(SchemaDeps {
        tenancy: tenancy.clone(),
        store: store.clone(),
        fleet: fleet.clone(),
        metrics: metrics.clone(),
        limits: config.limits.clone(),
        features,
        mcp: crate::mcp::McpDiagnostics::new(
            config.kube.sveltos_mcp_url.clone(),
            Duration::from_secs(config.kube.sveltos_mcp_timeout_secs),
        ),
    });
    Ok(AppState {
        schema,
        store,
        metrics,
        readiness,
        limits: config.limits.clone(),
        fleet,
        access,
        auth,
        rate_limiter: RateLimiter::new(
            config.auth.rate_limit_per_second,
            config.auth.rate_limit_burst,
        ),
        management,
        live,
        tenancy,
    })
}

fn authenticator(config: &ServeConfig, management: Option<kube::Client>) -> Result<Authenticator> {
    let auth = &config.auth;
    let jwt = JwtKeys::from_config(&auth.jwt)?.map(Arc::new);
    let reviewer = management.map(|client| {
        KubeTokenReviewer::new(
            client,
            auth.token_review_audiences.clone(),
            Duration::from_secs(auth.auth_cache_ttl_secs),
        ) as Arc<dyn TokenReviewer>
    });
    if auth.auth_disabled {
        tracing::warn!(
            "AUTHENTICATION IS DISABLED: every caller is trusted as an admin. \
             Never run like this where anyone else can reach the server."
        );
    } else if jwt.is_none() && reviewer.is_none() {
        tracing::warn!(
            "no JWT key and no management cluster: only anonymous requests are possible \
             (set --jwt-secret-file, or see `fleetgraph serve --help`)"
        );
    }
    let group_roles = parse_group_roles(&auth.kube_group_roles)?;
    Ok(Authenticator::new(
        auth.auth_disabled,
        jwt,
        reviewer,
        group_roles,
    ))
}

fn features(
    config: &ServeConfig,
    store: &Store,
    auth: &Authenticator,
    has_management_cluster: bool,
) -> Features {
    let mut names = vec![
        "graphiql".to_string(),
        "metrics".to_string(),
        format!("store:{}", store.backend_name()),
    ];
    if config.limits.introspection {
        names.push("introspection".to_string());
    }
    if auth.is_disabled() {
        names.push("auth:disabled".to_string());
    } else {
        if auth.jwt_keys().is_some() {
            names.push("auth:jwt".to_string());
        }
        if has_management_cluster {
            names.push("auth:kubernetes".to_string());
        }
    }
    if has_management_cluster {
        names.push("management-cluster".to_string());
    }
    Features::new(names)
}

fn cors(origins: &[String]) -> Result<CorsLayer> {
    let mut allowed = Vec::new();
    for origin in origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        let value = HeaderValue::from_str(origin).map_err(|_| {
            Error::bad_field(
                "cors-allowed-origins",
                format!("{origin:?} is not a valid origin"),
            )
        })?;
        allowed.push(value);
    }
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600)))
}

pub fn router(state: AppState, cors: CorsLayer) -> Router {
    // The HTTP-level timeout is a backstop; GraphQL requests time out a little earlier with
    // a GraphQL-shaped error.
    let backstop = state.limits.request_timeout() + Duration::from_secs(5);
    Router::new()
        .route("/graphql", get(ws::get_or_upgrade).post(graphql::post))
        .route("/graphql/ws", get(ws::handler))
        .route(
            &format!("{}/{{name}}", graphiql::ASSET_PREFIX),
            get(graphiql::asset),
        )
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            backstop,
        ))
        .layer(cors)
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// A server running in the background (tests, demo mode).
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
    sampler: Option<JoinHandle<()>>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server to end.
    pub async fn shutdown(self) {
        // WebSocket connections outlive their HTTP request: close them first, with 1001.
        self.state.live.close_all(Duration::from_secs(5)).await;
        self.shutdown.cancel();
        self.state.fleet.shutdown();
        self.state.tenancy.pool.stop_watches();
        if let Some(sampler) = self.sampler
            && let Err(e) = sampler.await
        {
            tracing::warn!(error = %e, "usage sampler failed");
        }
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "server ended with an error"),
            Err(e) => tracing::warn!(error = %e, "server task failed"),
        }
    }
}

/// Binds the configured address and serves in the background until [`RunningServer::shutdown`].
pub async fn start(config: &ServeConfig) -> Result<RunningServer> {
    let state = build_state(config).await?;
    let listener = bind(config.listen).await?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("listener has no address: {e}")))?;
    let shutdown = CancellationToken::new();
    let app = router(state.clone(), cors(&config.auth.cors_allowed_origins)?);
    let token = shutdown.clone();
    let limiter = state.rate_limiter.clone();
    let sweeper = shutdown.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = sweeper.cancelled() => break,
                _ = tick.tick() => limiter.shrink(),
            }
        }
    });
    crate::tenancy::cluster_pool::follow_deletions(
        state.tenancy.pool.clone(),
        state.tenancy.store.clone(),
        shutdown.clone(),
    );
    let tenancy = state.tenancy.clone();
    tokio::spawn(async move {
        match tenancy.store.clusters().await {
            Ok(stored) => tenancy.pool.start_watches(&stored).await,
            Err(e) => tracing::warn!(error = %e, "cannot list registered clusters to watch"),
        }
    });
    let sampler = crate::tenancy::usage_sampler::spawn(
        state.tenancy.clone(),
        Duration::from_secs(config.tenancy.usage_sample_interval_secs),
        shutdown.clone(),
    );
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { token.cancelled().await })
        .await
    });
    Ok(RunningServer {
        addr,
        state,
        shutdown,
        task,
        sampler,
    })
}

/// `fleetgraph serve`: runs until SIGINT or SIGTERM, then drains for at most the grace period.
pub async fn run(config: &ServeConfig) -> Result<()> {
    let server = start(config).await?;
    tracing::info!(
        url = %format!("{}/graphql", server.url()),
        store = server.state.store.backend_name(),
        "fleetgraph is serving"
    );
    wait_for_signal().await;
    tracing::info!("shutting down");
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    if tokio::time::timeout(grace, server.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_secs = config.shutdown_grace_secs,
            "requests still running after the grace period were dropped"
        );
    }
    Ok(())
}

async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Unavailable(format!("cannot listen on {addr}: {e}")))
}

/// Resolves on SIGINT or SIGTERM.
pub async fn wait_for_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
