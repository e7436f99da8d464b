//! Demo content for the standard plugins routing, escalation and compensation: publishes them,
//! seeds a small agent directory (queues and agents) and deploys each with its grants and config,
//! so `cargo xtask run` shows routing reading real agents. Every command is idempotent, so a
//! second `cargo xtask run` on the same data directory changes nothing.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

const QUEUES: &[&[&str]] = &[
    &["overflow", "--name", "Overflow (supervisors)"],
    &["general", "--name", "General", "--overflow", "overflow"],
    &[
        "billing",
        "--name",
        "Billing",
        "--skill",
        "billing=3",
        "--language",
        "en",
        "--language",
        "zh",
        "--overflow",
        "overflow",
    ],
    &["care", "--name", "Customer care", "--overflow", "overflow"],
];

const AGENTS: &[&[&str]] = &[
    &[
        "ana",
        "--name",
        "Ana Li",
        "--team",
        "billing",
        "--senior",
        "--skill",
        "billing=8",
        "--skill",
        "refunds=6",
        "--language",
        "en",
        "--language",
        "zh-CN",
        "--queue",
        "billing",
        "--queue",
        "general",
        "--capacity",
        "chat=3",
        "--capacity",
        "email=10",
        "--presence",
        "online",
    ],
    &[
        "bo",
        "--name",
        "Bo Wang",
        "--team",
        "billing",
        "--skill",
        "billing=6",
        "--language",
        "zh-CN",
        "--queue",
        "billing",
        "--capacity",
        "chat=3",
        "--capacity",
        "phone=1",
        "--presence",
        "online",
    ],
    &[
        "carol",
        "--name",
        "Carol Jones",
        "--team",
        "care",
        "--senior",
        "--skill",
        "complaints=9",
        "--language",
        "en",
        "--queue",
        "care",
        "--queue",
        "general",
        "--capacity",
        "chat=2",
        "--capacity",
        "email=8",
        "--presence",
        "online",
    ],
];

const ROUTING_CONFIG: &str = r#"{
  "routes": {
    "billing": {"queue": "billing", "required": {"billing": 5}, "optional": {"refunds": 4}},
    "refund": {"queue": "billing", "required": {"billing": 3, "refunds": 5}},
    "complaint": {"queue": "care", "required": {"complaints": 5}}
  },
  "relax_optional_after_ms": 120000
}"#;

const COMPENSATION_CONFIG: &str = r#"{
  "currency": "CNY",
  "policies": [
    {"name": "late-1h", "incident_type": "delivery_delay", "impact": "delay", "min_minutes": 60, "amount_cents": 1000, "kind": "voucher"},
    {"name": "late-4h", "incident_type": "delivery_delay", "impact": "delay", "min_minutes": 240, "amount_cents": 3000, "kind": "voucher"},
    {"name": "outage", "incident_type": "service_outage", "impact": "outage", "min_minutes": 15, "amount_cents": 5000},
    {"name": "defect", "incident_type": "product_defect", "impact": "defect", "amount_cents": 2000}
  ]
}"#;

pub struct Remote<'a> {
    pub weft: &'a Path,
    pub server: &'a str,
    pub dev_token: &'a str,
    pub ops_token: &'a str,
}

pub fn seed(remote: &Remote, components: &Path, data: &Path) -> anyhow::Result<()> {
    for plugin in ["routing", "escalation", "compensation"] {
        let path = components.join(format!("{plugin}.wasm"));
        run(remote, remote.dev_token, &["plugin", "publish", &path.to_string_lossy()])?;
    }
    for queue in QUEUES {
        run(remote, remote.ops_token, &[&["agent", "queue", "put"], *queue].concat())?;
    }
    for agent in AGENTS {
        run(remote, remote.ops_token, &[&["agent", "put"], *agent].concat())?;
    }
    let deployments: [(&str, &str, &[&str], Option<&str>); 3] = [
        ("demo-routing", "routing@0.1.0", &["agents.read", "effect.assign", "effect.tag"], Some(ROUTING_CONFIG)),
        ("demo-escalation", "escalation@0.1.0", &["effect.escalate"], None),
        (
            "demo-compensation",
            "compensation@0.1.0",
            &["credits.read", "effect.credit", "effect.request-approval"],
            Some(COMPENSATION_CONFIG),
        ),
    ];
    for (name, plugin, grants, config) in deployments {
        let mut args: Vec<String> = ["deployment", "put", name, "--plugin", plugin].map(String::from).to_vec();
        for grant in grants {
            args.extend(["--grant".to_owned(), (*grant).to_owned()]);
        }
        if let Some(config) = config {
            let file = data.join(format!("{name}-config.json"));
            std::fs::write(&file, config)?;
            args.extend(["--config".to_owned(), file.to_string_lossy().into_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(remote, remote.ops_token, &args)?;
    }
    Ok(())
}

fn run(remote: &Remote, token: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new(remote.weft)
        .args(args)
        .args(["--server", remote.server, "--token", token])
        .stderr(Stdio::inherit())
        .output()
        .context("running weft")?;
    if !out.status.success() {
        bail!("`weft {}` failed", args.iter().take(3).copied().collect::<Vec<_>>().join(" "));
    }
    Ok(())
}
