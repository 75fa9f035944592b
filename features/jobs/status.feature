@command:client-status @command:ai-status @live-serial
Feature: Job status
  `aitbc client status <id>` reads GET /v1/jobs/{id}: the job's state as it moves
  QUEUED → RUNNING → COMPLETED | FAILED, or CANCELED, or EXPIRED (contract §4).

  Background:
    Given I authenticate as "client"

  Scenario: A new job reads as queued
    Given the client's queued job "A"
    When I send GET "/v1/jobs/{A}"
    Then the response status is 200
    And the response field "job_id" is "{A}"
    And the response field "state" is "QUEUED"
    And the response matches the snapshot "job-queued"

  @read-only
  Scenario: An unknown job id is 404
    When I send GET "/v1/jobs/ffffffffffffffffffffffffffffffff"
    Then the response status is 404
    And the response body is:
      """
      {"detail": "job not found"}
      """
    And the response matches the snapshot "job-not-found"

  Scenario: A job taken by a miner is running and names its miner
    Given a job "A" submitted by the client
    And the miner is registered
    And the miner has taken job "A"
    When I send GET "/v1/jobs/{A}"
    Then the response status is 200
    And the response field "state" is "RUNNING"
    And the response field "assigned_miner_id" matches "."
    And the response matches the snapshot "job-running"

  Scenario: After the miner's result the job is completed
    Given a job "A" submitted by the client
    And the miner is registered
    And the miner has taken job "A"
    And the miner has completed job "A"
    When I send GET "/v1/jobs/{A}"
    Then the response status is 200
    And the response field "state" is "COMPLETED"
    And the response matches the snapshot "job-completed"

  Scenario: A job read while running reads completed on every read after its result
    Given a job "A" submitted by the client
    And the miner is registered
    And the miner has taken job "A"
    When I send GET "/v1/jobs/{A}"
    Then the response field "state" is "RUNNING"
    Given the miner has completed job "A"
    Then job "A" reads "COMPLETED" on each of 6 reads over fresh connections

  Scenario: After the miner's failure the job is failed with its reason
    Given a job "A" submitted by the client
    And the miner is registered
    And the miner has taken job "A"
    And the miner has failed job "A"
    When I send GET "/v1/jobs/{A}"
    Then the response status is 200
    And the response field "state" is "FAILED"
    And the response field "error" is, by era:
      | api-key | OOM: out of memory |
      | jwt     | out of memory |
    And the response matches the snapshot "job-failed"

  @waits
  Scenario: A job past its expiry reads as expired
    Given a job "A" submitted by the client with body:
      """
      {"constraints": {"region": "{tag}"}, "payload": {"type": "inference", "prompt": "too late"}, "ttl_seconds": 1}
      """
    When 1.2 seconds have passed
    And I send GET "/v1/jobs/{A}"
    Then the response status is 200
    And the response field "state" is "EXPIRED"
    And the response field "error" is "job expired"
    And the response matches the snapshot "job-expired"
