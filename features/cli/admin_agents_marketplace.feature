@cli @era:api-key
Feature: The admin, agent and marketplace commands of the user's aitbc CLI, end to end

  @command:admin-stats
  Scenario: aitbc admin status reads the coordinator's statistics
    When I run aitbc "--output json admin status" as "admin"
    Then aitbc sent "GET /v1/admin/stats" and got 200

  @command:agent-create
  Scenario: aitbc agent create creates a workflow
    When I run aitbc "--output json agent create --name conformance-{tag}" as "admin"
    Then aitbc sent "POST /v1/agents/workflows" and got 200
    And aitbc's output has field "id"

  @command:agent-list
  Scenario: aitbc agent list lists the workflows
    When I run aitbc "--output json agent list" as "admin"
    Then aitbc sent "GET /v1/agents/workflows" and got 200

  @command:agent-execute
  Scenario: aitbc agent execute starts an execution
    Given a workflow "W" created by the admin
    When I run aitbc "--output json agent execute {W}" as "admin"
    Then aitbc sent "POST /v1/agents/workflows/{workflow_id}/execute" and got 200

  @command:agent-status
  Scenario: aitbc agent status reads an execution's status
    Given I authenticate as "admin"
    And a workflow "W" created by the admin
    When I send POST "/v1/agents/workflows/{W}/execute" with body:
      """
      {}
      """
    Then I save the response field "execution_id" as "E"
    When I run aitbc "--output json agent status {E}" as "admin"
    Then aitbc sent "GET /v1/agents/executions/{execution_id}/status" and got 200

  @command:marketplace-gpu-list
  Scenario: aitbc marketplace gpu list lists the offers
    When I run aitbc "--output json marketplace gpu list" as "client"
    Then aitbc sent "GET /v1/marketplace/gpu/list" and got 200
