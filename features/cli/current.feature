@cli @era:jwt
Feature: Today's aitbc CLI, end to end (JWT era)
  Each scenario runs today's aitbc CLI (c27c6545b: `run --era jwt --cli …`) in a private HOME
  whose ./.aitbc.yaml points at a recording proxy in front of the target, logged in as its users
  log in: `auth login` with a wallet, or `--api-key` with the role's session token (the ai
  commands send it as a Bearer token; the workflow commands read COORDINATOR_API_KEY). Judged by
  the requests it made and the answers it got, and by what it printed.

  @command:auth-login @wallet-login
  Scenario: aitbc auth login signs a nonce with a wallet and stores the session token
    When I run aitbc "--output json auth login --private-key-file {wallet_key_file}" as "none"
    Then aitbc sent "POST /v1/auth/nonce" and got 200
    And aitbc sent "POST /v1/login" and got 200
    And aitbc's output has field "wallet"

  @command:ai-submit
  Scenario: aitbc ai submit queues a job and prints it
    When I run aitbc "--output json ai submit --type inference --prompt hello --model llama3" as "client"
    Then aitbc sent "POST /v1/jobs" and got 201
    And aitbc's output has field "job_id"
    # Leave no job a later run's miner would take (it would be handed it before its own).
    And I save aitbc's output field "job_id" as "J"
    Given I authenticate as "client"
    When I send POST "/v1/jobs/{J}/cancel"
    Then the response status is 200

  @command:ai-status
  Scenario: aitbc ai status prints the job's state
    Given the client's queued job "A"
    When I run aitbc "--output json ai status --job-id {A}" as "client"
    Then aitbc sent "GET /v1/jobs/{job_id}" and got 200
    And aitbc's output has field "state"

  @command:ai-results @live-serial
  Scenario: aitbc ai results prints a completed job's result
    Given the miner is registered
    And a job "A" submitted by the client
    And the miner has taken job "A"
    And the miner has completed job "A"
    When I run aitbc "--output json ai results --job-id {A}" as "client"
    Then aitbc sent "GET /v1/jobs/{job_id}/result" and got 200
    And aitbc's output has field "result"

  @command:ai-cancel
  Scenario: aitbc ai cancel cancels a queued job
    Given a job "A" submitted by the client
    When I run aitbc "--output json ai cancel --job-id {A} --wallet default" as "client"
    Then aitbc sent "POST /v1/jobs/{job_id}/cancel" and got 200
    And aitbc's output has field "state"

  @command:ai-jobs
  Scenario: aitbc ai jobs lists the client's jobs
    Given the client's queued job "A"
    When I run aitbc "--output json ai jobs --limit 100" as "client"
    Then aitbc sent "GET /v1/jobs" and got 200
    And aitbc's output has field "items"

  @command:workflow-run
  Scenario: aitbc workflow run executes a workflow
    Given a workflow "W" created by the admin
    When I run aitbc "workflow run {W}" as "admin"
    Then aitbc sent "POST /v1/agents/workflows/{workflow_id}/execute" and got 200

  @command:workflow-status
  Scenario: aitbc workflow status reads an execution's status
    Given I authenticate as "admin"
    And a workflow "W" created by the admin
    When I send POST "/v1/agents/workflows/{W}/execute" with body:
      """
      {"workflow_id": "{W}", "inputs": {}}
      """
    Then I save the response field "execution_id" as "E"
    When I run aitbc "workflow status {E}" as "admin"
    Then aitbc sent "GET /v1/agents/executions/{execution_id}/status" and got 200

  @command:workflow-stop
  Scenario: aitbc workflow stop cancels a running execution
    Given I authenticate as "admin"
    And a workflow "W" created by the admin
    When I send POST "/v1/agents/workflows/{W}/execute" with body:
      """
      {"workflow_id": "{W}", "inputs": {}}
      """
    Then I save the response field "execution_id" as "E"
    When I run aitbc "workflow stop {E}" as "admin"
    Then aitbc sent "POST /v1/agents/workflows/{workflow_id}/cancel" and got 200

  @command:chain-sync-status
  Scenario: aitbc chain sync-status reads the node's chains and their heads
    When I run aitbc "--output json chain sync-status --node-url {node_url}" as "none"
    Then aitbc sent "GET /rpc/network-info" and got 200
    And aitbc sent "GET /rpc/head" and got 200
