@command:client-receipts @live-serial
Feature: Job receipts
  `aitbc client receipts <id>` reads the signed receipt a coordinator with a signing key
  issues when a miner completes the job (contract §4).

  Background:
    Given I authenticate as "client"
    And a job "A" submitted by the client

  Scenario: A completed job has a signed receipt that names it
    Given the miner is registered
    And the miner has taken job "A"
    And the miner has completed job "A"
    When I send GET "/v1/jobs/{A}/receipt"
    Then the response status is 200
    And the response field "job_id" is "{A}"
    And the response field "version" is "1.0"
    And the response field "status" is "COMPLETED"
    And the response field "receipt_id" matches "^[0-9a-f]{32}$"
    And the response field "unit_type" is "gpu_seconds"
    And the response field "signature.alg" is "Ed25519"
    And the response field "metadata.result" is {"output": "hi there", "tokens": 3}
    And the response matches the snapshot "receipt"

  Scenario: A job without a receipt yet says so
    When I send GET "/v1/jobs/{A}/receipt"
    Then the response status is 404
    And the response body is:
      """
      {"detail": "receipt not available"}
      """
    And the response matches the snapshot "receipt-not-available"

  Scenario: The receipts list holds the receipt once the job completes
    When I send GET "/v1/jobs/{A}/receipts"
    Then the response status is 200
    And the response field "items" has 0 items
    Given the miner is registered
    And the miner has taken job "A"
    And the miner has completed job "A"
    When I send GET "/v1/jobs/{A}/receipts"
    Then the response status is 200
    And the response field "items" has 1 item
    And the response field "items.0.job_id" is "{A}"
    And the response matches the snapshot "receipts"

  Scenario: Another client cannot read the receipt
    Given I authenticate as "other-client"
    When I send GET "/v1/jobs/{A}/receipts"
    Then the response status is 404
    And the response field "detail" is "job not found"
    And the response matches the snapshot "job-not-found"
