@command:agent-status @command:workflow-status
Feature: Execution status
  `aitbc agent status <execution>` reads an execution's progress; a pending or running one
  can be cancelled, once (contract §7).

  Background:
    Given I authenticate as "admin"
    And a workflow "W" created by the admin
    When I send POST "/v1/agents/workflows/{W}/execute" with body:
      """
      {}
      """
    Then the response status is 200
    And I save the response field "execution_id" as "E"

  Scenario: The status names the execution and its progress
    When I send GET "/v1/agents/executions/{E}/status"
    Then the response status is 200
    And the response field "execution_id" is "{E}"
    And the response field "workflow_id" is "{W}"
    And the response field "total_steps" is 2
    And the response field "status" matches "^(pending|running|completed)$"
    And the response field "error_message" is null

  Scenario: An unknown execution is 404
    When I send GET "/v1/agents/executions/exec_0000000000/status"
    Then the response status is 404
    And the response matches the snapshot "execution-not-found"

  Scenario: Another admin cannot read the execution
    Given I authenticate as "other-admin"
    When I send GET "/v1/agents/executions/{E}/status"
    Then the response status is 403
    And the response field "detail" is "Access denied"
    And the response matches the snapshot "access-denied"

  # No command of today's CLI cancels an execution this way (`workflow stop` uses
  # /v1/agents/workflows/{id}/cancel): in the JWT era it counts in the routes' group.
  @command:agent-cancel
  Scenario: A pending execution can be cancelled once
    When I send POST "/v1/agents/executions/{E}/cancel"
    Then the response status is 200
    When I send GET "/v1/agents/executions/{E}/status"
    Then the response field "status" is "cancelled"
    When I send POST "/v1/agents/executions/{E}/cancel"
    Then the response status is 400
    And the response body is:
      """
      {"detail": "Execution cannot be cancelled"}
      """
    And the response matches the snapshot "execution-not-cancellable"
