//! The live objects probes name in their paths, made the way the scenarios make them: my queued
//! job, my cancelled job, a job the miner runs, another client's job, a workflow and its
//! execution, a listed GPU, the node's head block.

use serde_json::{json, Value};

use super::cases::{Ids, LiveId};
use crate::http::{self, Client, Request};

/// The label of the job the probe cancels before it starts.
const CANCELLED: &str = "my cancelled job";

/// Where and as whom the objects are made.
pub(crate) struct Maker<'a> {
    pub(crate) client: &'a Client,
    pub(crate) coordinator: &'a str,
    pub(crate) node: &'a str,
    pub(crate) credentials: &'a crate::auth::Credentials,
    /// Unique to this probe: the region its jobs ask for, so no other miner takes them.
    pub(crate) tag: &'a str,
    /// The role that owns agent workflows on this target.
    pub(crate) agent_role: &'static str,
    pub(crate) job_body: Value,
    pub(crate) miner_body: Value,
}

impl Maker<'_> {
    async fn call(
        &self,
        base: &str,
        role: Option<&str>,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Option<(u16, Value)> {
        let credential = role.and_then(|r| self.credentials.get(r));
        let request = Request {
            base,
            method,
            path,
            credential,
            body: body.into(),
            record: false,
            fresh: false,
        };
        let (exchange, _) = http::send(self.client, request).await.ok()?;
        Some((exchange.status, exchange.json.unwrap_or(Value::Null)))
    }

    async fn submit(&self, role: &str) -> Option<String> {
        let (status, json) = self
            .call(
                self.coordinator,
                Some(role),
                "POST",
                "/v1/jobs",
                Some(&self.job_body),
            )
            .await?;
        ((200..300).contains(&status))
            .then(|| json.get("job_id")?.as_str().map(String::from))
            .flatten()
    }

    /// Every object it could make, by the path parameter that names it; what could not be made
    /// is left out (its routes are probed with generated ids).
    pub(crate) async fn make(&self) -> (Ids, u64) {
        let mut ids = Ids::new();
        let mut sent = 0u64;
        let mut add = |name: &str, label, id: String, owned| {
            let gone = label == CANCELLED;
            ids.entry(name.to_string()).or_default().push(LiveId {
                label,
                id,
                owned,
                gone,
            });
        };
        sent += 1;
        if let Some(id) = self.submit("client").await {
            add("job_id", "my queued job", id, true);
        }
        sent += 2;
        if let Some(id) = self.submit("client").await {
            let path = format!("/v1/jobs/{id}/cancel");
            if self
                .call(self.coordinator, Some("client"), "POST", &path, None)
                .await
                .is_some_and(|(s, _)| s == 200)
            {
                add("job_id", CANCELLED, id, true);
            }
        }
        sent += 3;
        if let Some(id) = self.running_job().await {
            add("job_id", "a job the miner runs", id, true);
        }
        if self.credentials.get("other-client").is_some() {
            sent += 1;
            if let Some(id) = self.submit("other-client").await {
                add("job_id", "another client's job", id, false);
            }
        }
        sent += 2;
        if let Some((workflow, execution)) = self.workflow().await {
            add("workflow_id", "my workflow", workflow, true);
            if let Some(execution) = execution {
                add("execution_id", "my execution", execution, true);
            }
        }
        sent += 2;
        for (name, id) in self.public_ids().await {
            add(name, "a live one", id, true);
        }
        (ids, sent)
    }

    /// The miner registers in this probe's region and polls: handed a job of its own queue.
    async fn running_job(&self) -> Option<String> {
        let id = self.submit("client").await?;
        self.call(
            self.coordinator,
            Some("miner"),
            "POST",
            "/v1/miners/register",
            Some(&self.miner_body),
        )
        .await
        .filter(|(s, _)| *s == 200)?;
        let poll = json!({ "max_wait_seconds": 0 });
        let (status, json) = self
            .call(
                self.coordinator,
                Some("miner"),
                "POST",
                "/v1/miners/poll",
                Some(&poll),
            )
            .await?;
        let handed = json.get("job_id").and_then(Value::as_str);
        (status == 200 && handed == Some(id.as_str())).then_some(id)
    }

    /// A workflow of the agent role, and its execution when it can be started.
    pub(crate) async fn workflow(&self) -> Option<(String, Option<String>)> {
        let body = json!({ "name": format!("probe-{}", self.tag), "description": "probe",
                           "steps": { "one": { "type": "llm" } } });
        let role = Some(self.agent_role);
        let (status, json) = self
            .call(
                self.coordinator,
                role,
                "POST",
                "/v1/agents/workflows",
                Some(&body),
            )
            .await?;
        let id = json
            .get("id")
            .and_then(Value::as_str)
            .filter(|_| status == 200)?;
        let path = format!("/v1/agents/workflows/{id}/execute");
        let execution = self
            .call(self.coordinator, role, "POST", &path, Some(&json!({})))
            .await
            .and_then(|(s, j)| {
                (s == 200).then(|| j.get("execution_id")?.as_str().map(String::from))?
            });
        Some((id.to_string(), execution))
    }

    /// A listed GPU and the node's head block (height and hash): objects anyone can read.
    async fn public_ids(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some((200, list)) = self
            .call(
                self.coordinator,
                None,
                "GET",
                "/v1/marketplace/gpu/list",
                None,
            )
            .await
        {
            if let Some(id) = list
                .get(0)
                .and_then(|g| g.get("id"))
                .and_then(Value::as_str)
            {
                out.push(("gpu_id", id.to_string()));
            }
        }
        if let Some((200, head)) = self.call(self.node, None, "GET", "/rpc/head", None).await {
            if let Some(h) = head.get("height").and_then(Value::as_u64) {
                out.push(("height", h.to_string()));
            }
            if let Some(hash) = head.get("hash").and_then(Value::as_str) {
                out.push(("hash", hash.to_string()));
            }
        }
        out
    }
}
