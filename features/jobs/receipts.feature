@command:client-receipts @live-serial
Feature: Job receipts
  `aitbc client receipts` reads the signed receipts a coordinator with a signing key issues
  when a miner completes a job (contract §4): per job under /v1/jobs/{id}/receipt(s), and, as
  the released CLI reads them, from the explorer's /v1/explorer/receipts (contract §13). A
  coordinator without a signing key issues none (`"receipt": null` in its result answers):
  the scenarios that need a receipt are then not applicable and reported skipped.

  Background:
    Given I authenticate as "client"

  Scenario: A completed job's signed receipt is served alone, in its list and by the explorer
    Given a job "A" submitted by the client
    Given the miner is registered
    And the miner has taken job "A"
    And the miner has completed job "A"
    And the coordinator signs receipts
    When I send GET "/v1/jobs/{A}/receipt"
    Then the response status is 200
    And the response field "job_id" is "{A}"
    And the response field "version" is "1.0"
    And the response field "status" is "COMPLETED"
    And the response field "receipt_id" matches "^[0-9a-f]{32}$"
    And the response field "unit_type" is "gpu_seconds"
    And the response field "signature.alg" is "Ed25519"
    And the response field "metadata.result" is {"output": "hi there", "tokens": 3}
    And the response field "metadata.metrics.duration_ms" is 12
    And the response matches the snapshot "receipt"
    When I send GET "/v1/jobs/{A}/receipts"
    Then the response status is 200
    And the response field "items" has 1 item
    And the response field "items.0.job_id" is "{A}"
    And the response matches the snapshot "receipts"
    Given I authenticate as "none"
    When I send GET "/v1/explorer/receipts?job_id={A}&limit=10"
    Then the response status is 200
    And the response field "jobId" is "{A}"
    And the response field "items" has 1 item
    And the response field "items.0.jobId" is "{A}"
    And the response field "items.0.status" is "COMPLETED"
    And the response matches the snapshot "explorer-receipts"

  Scenario: A job without a receipt yet says so
    Given the client's queued job "A"
    When I send GET "/v1/jobs/{A}/receipt"
    Then the response status is 404
    And the response body is:
      """
      {"detail": "receipt not available"}
      """
    And the response matches the snapshot "receipt-not-available"

  Scenario: A job without a receipt yet has an empty receipts list
    Given the client's queued job "A"
    When I send GET "/v1/jobs/{A}/receipts"
    Then the response status is 200
    And the response body is:
      """
      {"items": []}
      """

  @read-only
  Scenario: An unknown job's receipts are 404
    When I send GET "/v1/jobs/00000000000000000000000000000000/receipts"
    Then the response status is 404
    And the response field "detail" is "job not found"
    And the response matches the snapshot "job-not-found"

  Scenario: Another client cannot read the receipts
    Given the client's queued job "A"
    Given I authenticate as "other-client"
    When I send GET "/v1/jobs/{A}/receipts"
    Then the response status is 404
    And the response field "detail" is "job not found"
    And the response matches the snapshot "job-not-found"

  Scenario: The explorer lists no receipt for a job that has not completed
    Given the client's queued job "A"
    Given I authenticate as "none"
    When I send GET "/v1/explorer/receipts?job_id={A}&limit=10"
    Then the response status is 200
    And the response body is:
      """
      {"jobId": "{A}", "items": []}
      """
