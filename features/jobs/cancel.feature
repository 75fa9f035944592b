@command:client-cancel @command:ai-cancel @live-serial
Feature: Cancelling a job
  `aitbc client cancel <id>` posts /v1/jobs/{id}/cancel: a QUEUED or RUNNING job becomes
  CANCELED with no assigned miner; anything else is 409 "job not cancelable" (contract §4, §13).

  Background:
    Given I authenticate as "client"

  Scenario: A queued job can be cancelled once
    Given a job "A" submitted by the client
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 200
    And the response field "state" is "CANCELED"
    And the response field "error" is "canceled by client"
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 409
    And the response body is:
      """
      {"detail": "job not cancelable"}
      """
    And the response matches the snapshot "job-not-cancelable"

  Scenario: A running job can be cancelled and status shows it
    Given a job "A" submitted by the client
    Given the miner is registered
    And the miner has taken job "A"
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 200
    And the response field "state" is "CANCELED"
    And the response field "assigned_miner_id" is null
    When I send GET "/v1/jobs/{A}"
    Then the response field "state" is "CANCELED"
    And the response matches the snapshot "job-canceled"

  Scenario: A completed job cannot be cancelled
    Given a job "A" submitted by the client
    Given the miner is registered
    And the miner has taken job "A"
    And the miner has completed job "A"
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 409
    And the response field "detail" is "job not cancelable"
    And the response matches the snapshot "job-not-cancelable"

  Scenario: Cancelling an unknown job is 404
    When I send POST "/v1/jobs/abcdefabcdefabcdefabcdefabcdefab/cancel"
    Then the response status is 404
    And the response field "detail" is "job not found"
    And the response matches the snapshot "job-not-found"
