@command:miner-result @live-serial
Feature: Reporting a job's outcome
  `aitbc miner result` posts the result (or the failure) of a job the miner holds; the
  client then sees COMPLETED (or FAILED) (contract §5). A job the client cancelled stays
  cancelled whatever the miner posts afterwards (contract §13).

  Background:
    Given I authenticate as "miner"
    And a job "A" submitted by the client
    And the miner is registered
    And the miner has taken job "A"

  Scenario: A result completes the job
    When I send POST "/v1/miners/{A}/result" with body:
      """
      {"result": {"output": "42"}, "metrics": {"tokens": 1}}
      """
    Then the response status is 200
    And the response field "status" is "ok"
    Given I authenticate as "client"
    When I send GET "/v1/jobs/{A}"
    Then the response field "state" is "COMPLETED"
    And the response matches the snapshot "job-completed"

  Scenario: A result's receipt names the job and records the duration
    When I send POST "/v1/miners/{A}/result" with body:
      """
      {"result": {"output": "42"}, "metrics": {"tokens": 1}}
      """
    Then the response status is 200
    Given the coordinator signs receipts
    Then the response field "receipt.job_id" is "{A}"
    And the response field "receipt.metadata.metrics.duration_ms" holds a whole number
    And the response field "receipt.metadata.metrics.tokens" is 1

  Scenario: A result cannot complete a job the client cancelled
    Given I authenticate as "client"
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 200
    Given I authenticate as "miner"
    When I send POST "/v1/miners/{A}/result" with body:
      """
      {"result": {"output": "too late"}}
      """
    Given I authenticate as "client"
    When I send GET "/v1/jobs/{A}"
    Then the response field "state" is "CANCELED"

  Scenario: A failure fails the job with code and message
    When I send POST "/v1/miners/{A}/fail" with body:
      """
      {"error_code": "CUDA_ERROR", "error_message": "device lost"}
      """
    Then the response status is 200
    And the response body is:
      """
      {"status": "ok"}
      """
    Given I authenticate as "client"
    When I send GET "/v1/jobs/{A}"
    Then the response field "state" is "FAILED"
    And the response field "error" is, by era:
      | api-key | CUDA_ERROR: device lost |
      | jwt     | device lost |
    And the response matches the snapshot "job-failed"

  Scenario: A result for an unknown job is 404
    When I send POST "/v1/miners/0000000000000000000000000000dead/result" with body:
      """
      {"result": {"output": "42"}}
      """
    Then the response status is 404
    And the response field "detail" is "job not found"
    And the response matches the snapshot "job-not-found"

  Scenario: A failure needs both its code and its message
    When I send POST "/v1/miners/{A}/fail" with body:
      """
      {"error_code": "CUDA_ERROR"}
      """
    Then the response status is 422
    And the response body contains:
      """
      {"error": {"code": "VALIDATION_ERROR", "details": [{"field": "body.error_message", "code": "missing"}]}}
      """
    And the response matches the snapshot "fail-message-required"
