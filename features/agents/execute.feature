@command:agent-execute @command:workflow-run
Feature: Executing a workflow
  `aitbc agent execute <id>` starts an execution that begins pending at step 0
  (contract §7).

  Background:
    Given I authenticate as "admin"

  Scenario: An execution starts pending
    Given a workflow "W" created by the admin
    When I send POST "/v1/agents/workflows/{W}/execute" with body:
      """
      {"inputs": {"topic": "gpus"}}
      """
    Then the response status is 200
    And the response field "execution_id" matches "^exec_[0-9a-f]{10}$"
    And the response field "workflow_id" is "{W}"
    And the response field "status" is "pending"
    And the response field "current_step" is 0
    And the response field "total_steps" is 2
    And the response field "current_cost" is 0.0
    And the response matches the snapshot "execution-started"

  Scenario: Executing an unknown workflow is 404
    When I send POST "/v1/agents/workflows/agent_ffffffff/execute" with body:
      """
      {}
      """
    Then the response status is 404
    And the response field "detail" is "Workflow not found"
    And the response matches the snapshot "workflow-not-found"

  Scenario: Executing another owner's private workflow is 403
    Given a private workflow "PRIV" created by the other admin
    When I send POST "/v1/agents/workflows/{PRIV}/execute" with body:
      """
      {}
      """
    Then the response status is 403
    And the response field "detail" is "Access denied"
    And the response matches the snapshot "access-denied"
