@command:client-result @command:ai-results @live-serial
Feature: Job result
  `aitbc client result <id>` reads GET /v1/jobs/{id}/result: 425 "job not ready" until the
  job has a result, then the result and its receipt (`null` on a coordinator without a signing
  key); a failed, cancelled or expired job has none (contract §4, §13).

  Background:
    Given I authenticate as "client"

  Scenario: A queued job's result is not ready
    Given the client's queued job "A"
    When I send GET "/v1/jobs/{A}/result"
    Then the response status is 425
    And the response body is:
      """
      {"detail": "job not ready"}
      """
    And the response matches the snapshot "job-not-ready"

  Scenario: A running job's result is not ready
    Given a job "A" submitted by the client
    Given the miner is registered
    And the miner has taken job "A"
    When I send GET "/v1/jobs/{A}/result"
    Then the response status is 425
    And the response field "detail" is "job not ready"

  Scenario: A completed job returns its result
    Given a job "A" submitted by the client
    Given the miner is registered
    And the miner has taken job "A"
    And the miner has completed job "A"
    When I send GET "/v1/jobs/{A}/result"
    Then the response status is 200
    And the response field "result" is {"output": "hi there", "tokens": 3}

  Scenario: A completed job's result carries its receipt
    Given a job "A" submitted by the client
    Given the miner is registered
    And the miner has taken job "A"
    And the miner has completed job "A"
    And the coordinator signs receipts
    When I send GET "/v1/jobs/{A}/result"
    Then the response status is 200
    And the response field "receipt.job_id" is "{A}"
    And the response field "receipt.status" is "COMPLETED"
    And the response matches the snapshot "job-result"

  Scenario: A failed job has no result
    Given a job "A" submitted by the client
    Given the miner is registered
    And the miner has taken job "A"
    And the miner has failed job "A"
    When I send GET "/v1/jobs/{A}/result"
    Then the response status is 425
    And the response matches the snapshot "job-not-ready"

  Scenario: A cancelled job has no result
    Given a job "A" submitted by the client
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 200
    When I send GET "/v1/jobs/{A}/result"
    Then the response status is 425
    And the response matches the snapshot "job-not-ready"

  @read-only
  Scenario: An unknown job's result is 404
    When I send GET "/v1/jobs/00000000000000000000000000000000/result"
    Then the response status is 404
    And the response field "detail" is "job not found"
    And the response matches the snapshot "job-not-found"
