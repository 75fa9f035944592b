@cli @era:api-key
Feature: The client commands of the user's aitbc CLI, end to end
  Each scenario runs the user's CLI (run --cli) in a private HOME pointed at the target, and
  judges it by the request it made, the answer it got and what it printed — not by its exit
  code: the released CLI prints errors and exits 0.

  @command:client-submit
  Scenario: aitbc client submit queues a job and prints its id
    When I run aitbc "--output json client submit --type inference --prompt hello --model llama3" as "client"
    Then aitbc sent "POST /v1/jobs" and got 201
    And aitbc's output has field "job_id"
    # Leave no job a later run's miner would take (it would be handed it before its own).
    And I save aitbc's output field "job_id" as "J"
    Given I authenticate as "client"
    When I send POST "/v1/jobs/{J}/cancel"
    Then the response status is 200

  @command:client-status
  Scenario: aitbc client status prints the job's state
    Given a job "A" submitted by the client
    When I run aitbc "--output json client status {A}" as "client"
    Then aitbc sent "GET /v1/jobs/{job_id}" and got 200
    And aitbc's output has field "state"

  @command:client-result @live-serial
  Scenario: aitbc client result prints a completed job's result
    Given the miner is registered
    And a job "A" submitted by the client
    And the miner has taken job "A"
    And the miner has completed job "A"
    When I run aitbc "--output json client result {A}" as "client"
    Then aitbc sent "GET /v1/jobs/{job_id}/result" and got 200
    And aitbc's output has field "result"

  @command:client-cancel
  Scenario: aitbc client cancel cancels a queued job
    Given a job "A" submitted by the client
    When I run aitbc "--output json client cancel {A}" as "client"
    Then aitbc sent "POST /v1/jobs/{job_id}/cancel" and got 200

  @command:client-receipts @live-serial
  Scenario: aitbc client receipts lists a job's receipts
    Given the miner is registered
    And a job "A" submitted by the client
    And the miner has taken job "A"
    And the miner has completed job "A"
    When I run aitbc "--output json client receipts --job-id {A}" as "client"
    Then aitbc sent "GET /v1/explorer/receipts" and got 200
