//! Every role against every route: allowed routes never answer 401/403, denied ones answer 403
//! with the role that is needed. Real binary, real tokens.

use serde_json::json;
use weft_e2e::plugins::component;
use weft_e2e::server::{Server, add_user, create_token};

const ROLES: &[&str] =
    &["admin", "plugin-developer", "operator", "kb-author", "kb-reviewer", "kb-publisher", "integrator", "agent"];

struct Route {
    method: &'static str,
    path: &'static str,
    allowed: &'static [&'static str],
}

const ROUTES: &[Route] = &[
    Route { method: "POST", path: "/v1/plugins", allowed: &["admin", "plugin-developer"] },
    Route { method: "GET", path: "/v1/plugins", allowed: &["admin", "plugin-developer", "operator", "integrator"] },
    Route {
        method: "GET",
        path: "/v1/plugins/router/0.1.0",
        allowed: &["admin", "plugin-developer", "operator", "integrator"],
    },
    Route { method: "PUT", path: "/v1/deployments/table", allowed: &["admin", "operator"] },
    Route { method: "GET", path: "/v1/deployments", allowed: &["admin", "operator", "plugin-developer"] },
    Route { method: "GET", path: "/v1/deployments/table", allowed: &["admin", "operator", "plugin-developer"] },
    Route { method: "POST", path: "/v1/deployments/table/invoke", allowed: &["admin", "operator", "plugin-developer"] },
    Route { method: "POST", path: "/v1/event-subscriptions", allowed: &["admin", "integrator"] },
    Route { method: "GET", path: "/v1/event-subscriptions", allowed: &["admin", "operator", "integrator"] },
    Route { method: "GET", path: "/v1/event-deliveries", allowed: &["admin", "operator", "integrator"] },
    Route { method: "POST", path: "/v1/event-deliveries/msg_x/replay", allowed: &["admin", "integrator"] },
    Route { method: "GET", path: "/v1/runs", allowed: &["admin", "operator", "integrator"] },
    Route { method: "POST", path: "/v1/workflows/none/rollouts", allowed: &["admin", "operator"] },
    Route { method: "GET", path: "/v1/rollouts", allowed: &["admin", "operator", "plugin-developer"] },
    Route { method: "POST", path: "/v1/rollouts/ro_x/rollback", allowed: &["admin", "operator"] },
    Route { method: "POST", path: "/v1/backtests", allowed: &["admin", "operator", "plugin-developer"] },
    // Data-subject requests: operators and admins only (an unknown customer is a 404 for them).
    Route { method: "GET", path: "/v1/customers/C-unknown/export", allowed: &["admin", "operator"] },
    Route { method: "DELETE", path: "/v1/customers/C-unknown", allowed: &["admin", "operator"] },
];

fn token_for(data: &std::path::Path, role: &str) -> String {
    let user = format!("u-{role}");
    add_user(data, &user, role, "a long enough password");
    create_token(data, &user)
}

// Each role may use exactly the routes its job needs.
#[tokio::test]
async fn role_route_table() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let tokens: Vec<(&str, String)> = ROLES.iter().map(|r| (*r, token_for(&data, r))).collect();
    let server = Server::start(&data, &[]);
    let http = reqwest::Client::new();
    let admin = &tokens[0].1;
    // Something to read and run: the router, deployed once.
    let res = http.post(server.url("/v1/plugins")).bearer_auth(admin).body(component("router")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let deployment = json!({"plugin": "router@0.1.0", "grants": ["effect.assign", "effect.tag"]});
    let res = http.put(server.url("/v1/deployments/table")).bearer_auth(admin).json(&deployment).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 201);

    let input = json!({"ticket": {"id": "T-1", "channel": "chat", "customer": {"id": "C-1"}}});
    let mut mismatches = Vec::new();
    for route in ROUTES {
        for (role, token) in &tokens {
            let req = match route.method {
                "POST" if route.path == "/v1/plugins" => http.post(server.url(route.path)).body(component("router")),
                "POST" if route.path == "/v1/event-subscriptions" => http
                    .post(server.url(route.path))
                    .json(&json!({"url": "http://127.0.0.1:9/hook", "event_types": ["run.completed"]})),
                "POST" if route.path.ends_with("/rollouts") => http
                    .post(server.url(route.path))
                    .json(&json!({"step": "route", "candidate": "router@0.2.0", "mode": "shadow"})),
                "POST" if route.path == "/v1/backtests" => {
                    http.post(server.url(route.path)).json(&json!({"candidate": "router@0.1.0", "since": "1h"}))
                }
                "POST" => http.post(server.url(route.path)).json(&input),
                "PUT" => http.put(server.url(route.path)).json(&deployment),
                "DELETE" => http.delete(server.url(route.path)),
                _ => http.get(server.url(route.path)),
            };
            let status = req.bearer_auth(token).send().await.unwrap().status().as_u16();
            let allowed = route.allowed.contains(role);
            let ok = if allowed { status != 401 && status != 403 } else { status == 403 };
            if !ok {
                mismatches.push(format!("{role} {} {} -> {status}", route.method, route.path));
            }
        }
    }
    assert!(mismatches.is_empty(), "role table mismatches:\n{}", mismatches.join("\n"));
}
