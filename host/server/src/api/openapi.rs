//! The OpenAPI 3.1 description of `/v1`, generated from the handlers' `#[utoipa::path]`
//! annotations and the request/response types' `ToSchema` derives as the router is built (so a
//! route cannot exist without being described), served at `/v1/openapi.json` with a browsable
//! Swagger UI at `/v1/docs`.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::error::ErrorBody;

/// Where the document and the page are served.
pub const DOCUMENT_PATH: &str = "/v1/openapi.json";
pub const DOCS_PATH: &str = "/v1/docs";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Weft API",
        description = "Workflows of sandboxed WebAssembly plugins, the knowledge base, and what \
                       integrators and operators need around them. Every error has the body \
                       `{code, message, details}`. Authenticate with `Authorization: Bearer <token>` \
                       (`weft token create`) or, from Weft's own pages, the session cookie from \
                       `POST /v1/sessions`.",
    ),
    modifiers(&Security),
    security(("token" = []), ("session" = [])),
    components(schemas(ErrorBody)),
    tags(
        (name = "sessions", description = "Browser sign-in"),
        (name = "plugins", description = "Publishing and inspecting plugin components"),
        (name = "deployments", description = "Plugins bound to a config, invoked directly"),
        (name = "workflows", description = "Workflow definitions, their webhooks and rollouts"),
        (name = "runs", description = "Workflow runs, approvals, SLA clocks and case records"),
        (name = "agents", description = "The agent directory routing plugins read"),
        (name = "events", description = "Outbound event subscriptions and their delivery log"),
        (name = "hook-secrets", description = "Secrets integrators sign inbound webhooks with"),
        (name = "customers", description = "Data-subject requests: export and erasure"),
        (name = "kb", description = "Knowledge base: spaces, articles, review, history, search"),
    )
)]
struct ApiDoc;

/// The document's frame (info, security schemes, tags); the router adds every path to it.
pub fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// Completes the document once the router has added every path to it.
pub fn finish(mut document: OpenApi) -> serde_json::Value {
    Errors.modify(&mut document);
    let mut document = serde_json::to_value(document).unwrap_or_default();
    ticket(&mut document);
    document
}

/// The inbound ticket's JSON Schema (`docs/schemas/ticket.schema.json`, the one webhook bodies are
/// checked against) becomes the `Ticket` component and the body of `POST /v1/hooks/{path}`, so the
/// document cannot drift from the validation. OpenAPI 3.1 schemas are JSON Schema 2020-12, so the
/// schema goes in as it is (as JSON: utoipa's schema types do not model all of 2020-12).
fn ticket(document: &mut serde_json::Value) {
    let mut schema: serde_json::Value = match serde_json::from_str(super::ticket_schema::SOURCE) {
        Ok(schema) => schema,
        Err(error) => {
            tracing::error!(%error, "docs/schemas/ticket.schema.json is not JSON; the document describes no Ticket");
            return;
        }
    };
    // `$schema` and `$id` belong to a standalone document, not to a component.
    if let Some(object) = schema.as_object_mut() {
        object.remove("$schema");
        object.remove("$id");
    }
    document["components"]["schemas"]["Ticket"] = schema;
    let body = &mut document["paths"]["/v1/hooks/{path}"]["post"]["requestBody"]["content"]["application/json"];
    *body = serde_json::json!({ "schema": { "$ref": "#/components/schemas/Ticket" } });
}

/// The Swagger UI page for `document`, which it also serves at [`DOCUMENT_PATH`].
pub fn docs(document: serde_json::Value) -> SwaggerUi {
    // "none": Swagger UI would otherwise send the document to validator.swagger.io.
    SwaggerUi::new(DOCS_PATH)
        .external_url_unchecked(DOCUMENT_PATH, document)
        .config(Config::default().validator_url("none"))
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let token = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("An API token from `weft token create`, shown once when created."))
            .build();
        components.add_security_scheme("token", SecurityScheme::Http(token));
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                super::auth::SESSION_COOKIE,
                "The browser session from `POST /v1/sessions`; accepted only from Weft's own pages.",
            ))),
        );
    }
}

/// Every operation can fail with the shared error body: declared once here as each operation's
/// `default` response instead of on every handler, so clients get a schema for any error status.
struct Errors;

impl Modify for Errors {
    fn modify(&self, openapi: &mut OpenApi) {
        let error = ResponseBuilder::new()
            .description("An error: `code` is stable and machine-readable, `message` says what to do next.")
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
            .build();
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head];
            for operation in operations.into_iter().flatten() {
                operation.responses.responses.entry("default".into()).or_insert_with(|| RefOr::T(error.clone()));
            }
        }
    }
}
