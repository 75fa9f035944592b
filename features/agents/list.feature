@command:agent-list
Feature: Listing and reading workflows
  `aitbc agent list` shows the caller's own workflows and public ones; another owner's
  private workflow is 403 (contract §7).

  Background:
    Given I authenticate as "admin"

  Scenario: The list holds my workflow
    Given a workflow "W" created by the admin
    When I send GET "/v1/agents/workflows"
    Then the response status is 200
    And the list "" has an item with "id" equal to "{W}"

  Scenario: Public workflows of others are listed, private ones are not
    Given a public workflow "PUB" created by the other admin
    And a private workflow "PRIV" created by the other admin
    When I send GET "/v1/agents/workflows"
    Then the response status is 200
    And the list "" has an item with "id" equal to "{PUB}"
    And the list "" has no item with "id" equal to "{PRIV}"

  Scenario: A workflow can be read by its id
    Given a workflow "W" created by the admin
    When I send GET "/v1/agents/workflows/{W}"
    Then the response status is 200
    And the response field "id" is "{W}"
    And the response field "steps" is {"fetch": {"type": "http"}, "summarise": {"type": "llm"}}
    And the response matches the snapshot "workflow"

  @read-only
  Scenario: An unknown workflow is 404
    When I send GET "/v1/agents/workflows/agent_00000000"
    Then the response status is 404
    And the response body is:
      """
      {"detail": "Workflow not found"}
      """
    And the response matches the snapshot "workflow-not-found"

  Scenario: Another owner's private workflow is 403
    Given a private workflow "PRIV" created by the other admin
    When I send GET "/v1/agents/workflows/{PRIV}"
    Then the response status is 403
    And the response body is:
      """
      {"detail": "Access denied"}
      """
    And the response matches the snapshot "access-denied"

  Scenario: An owner can update and delete a workflow
    Given a workflow "W" created by the admin
    When I send PUT "/v1/agents/workflows/{W}" with body:
      """
      {"description": "updated"}
      """
    Then the response status is 200
    And the response field "description" is "updated"
    When I send DELETE "/v1/agents/workflows/{W}"
    Then the response status is 200
    When I send GET "/v1/agents/workflows/{W}"
    Then the response status is 404
