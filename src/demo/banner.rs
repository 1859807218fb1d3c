//! What `fleetgraph demo` prints once it serves: where to go, how to authenticate, what to try.

use super::RunningDemo;

pub fn print(demo: &RunningDemo) {
    let graphql = demo.graphql_url();
    let auth = if demo.auth_disabled {
        format!(
            "AUTHENTICATION IS DISABLED: every caller is an admin (demo only).\n\
             Restart with --auth to require tokens; then send this admin token:\n  {}",
            demo.tokens.admin
        )
    } else {
        format!(
            "Tokens are required. In GraphiQL open Headers and paste:\n  \
             {{\"Authorization\": \"Bearer {}\"}}\n\
             A read-only token: {}",
            demo.tokens.admin, demo.tokens.read_only
        )
    };
    eprintln!(
        "\n\
         fleetgraph demo is serving {objects} fleet objects\n\n\
         GraphiQL    {graphql}\n\
         GraphQL     POST {graphql}\n\
         health      {url}/healthz  {url}/readyz  {url}/metrics\n\n\
         {auth}\n\
         More tokens: fleetgraph token issue --subject you --roles ops --jwt-secret-file {secret}\n\n\
         The management cluster is kubesim:\n  \
         kubectl --kubeconfig {kubeconfig} get sveltosclusters -A\n\n\
         Statuses change every few seconds (--pulse-secs); try a subscription once they exist.\n\
         Ctrl-C stops everything; nothing is left behind.\n",
        objects = demo.fleet_objects,
        url = demo.url(),
        secret = demo.tokens.secret_file.display(),
        kubeconfig = demo.management_kubeconfig.display(),
    );
}
