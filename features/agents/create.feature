@command:agent-create
Feature: Creating an agent workflow
  `aitbc agent create` posts a workflow (admin key) under /v1/agents/workflows; name and
  steps are required (contract §7).

  Background:
    Given I authenticate as "admin"

  Scenario: A workflow is created with the documented defaults
    When I send POST "/v1/agents/workflows" with body:
      """
      {"name": "summarise-news", "description": "fetch and summarise", "steps": {"fetch": {"type": "http"}, "summarise": {"type": "llm"}}}
      """
    Then the response status is 200
    And the response field "id" matches "^agent_[0-9a-f]{8}$"
    And the response field "name" is "summarise-news"
    And the response field "version" is "1.0.0"
    And the response field "verification_level" is "basic"
    And the response field "requires_verification" is true
    And the response field "is_public" is false
    And the response field "max_execution_time" is 3600
    And the response field "max_cost_budget" is 0.0
    And the response matches the snapshot "workflow-created"

  Scenario: Steps are required
    When I send POST "/v1/agents/workflows" with body:
      """
      {"name": "no-steps"}
      """
    Then the response status is 422
    And the response body contains:
      """
      {"error": {"code": "VALIDATION_ERROR", "details": [{"field": "body.steps", "code": "missing"}]}}
      """
    And the response matches the snapshot "steps-required"

  Scenario: A name longer than 100 characters is refused
    When I send POST "/v1/agents/workflows" with body:
      """
      {"name": "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "steps": {}}
      """
    Then the response status is 422
    And the response field "error.details.0.field" is "body.name"
    And the response matches the snapshot "name-too-long"

  @era:api-key
  Scenario: A client key cannot create workflows
    Given I authenticate as "client"
    When I send POST "/v1/agents/workflows" with body:
      """
      {"name": "x", "steps": {}}
      """
    Then the response status is 401
    And the response field "detail" is "invalid api key"
    And the response matches the snapshot "invalid-api-key"

  @era:jwt
  Scenario: A client cannot create workflows
    Given I authenticate as "client"
    When I send POST "/v1/agents/workflows" with body:
      """
      {"name": "x", "steps": {}}
      """
    Then the response status is 403
    And the response field "detail" is "Role required"
