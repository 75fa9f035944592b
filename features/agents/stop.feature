@command:workflow-stop @era:jwt
Feature: Stopping a workflow's execution (JWT era)
  `aitbc workflow stop <id>` posts /v1/agents/workflows/{workflow_id}/cancel?execution_id=: the
  admin who owns the workflow cancels one of its pending or running executions (c27c6545b,
  `agent_router.cancel_workflow`); the route answers as the execution cancel of contract §7.

  Background:
    Given I authenticate as "admin"
    And a workflow "W" created by the admin
    When I send POST "/v1/agents/workflows/{W}/execute" with body:
      """
      {}
      """
    Then the response status is 200
    And I save the response field "execution_id" as "E"

  Scenario: A pending execution is stopped
    When I send POST "/v1/agents/workflows/{W}/cancel?execution_id={E}"
    Then the response status is 200
    When I send GET "/v1/agents/executions/{E}/status"
    Then the response status is 200
    And the response field "status" is "cancelled"

  Scenario: Stopping needs the execution's id
    When I send POST "/v1/agents/workflows/{W}/cancel"
    Then the response status is 422

  Scenario: Stopping an unknown workflow is 404
    When I send POST "/v1/agents/workflows/agent_ffffffff/cancel?execution_id={E}"
    Then the response status is 404
    And the response field "detail" is "Workflow not found"
