@command:client-submit @command:ai-submit
Feature: Submitting a job
  `aitbc client submit` posts a JobCreate to /v1/jobs and gets 201 with a JobView in state
  QUEUED (contract §4).

  Background:
    Given I authenticate as "client"

  Scenario: A submitted job is queued
    When I send POST "/v1/jobs" with body:
      """
      {"constraints": {"region": "{tag}"}, "payload": {"type": "inference", "prompt": "hello", "model": "llama3"}, "ttl_seconds": 900}
      """
    Then the response status is 201
    And the response field "state" is "QUEUED"
    And the response field "job_id" matches "^[0-9a-f]{32}$"
    And the response field "assigned_miner_id" is null
    And the response field "error" is null
    And the response field "payment_id" is null
    And the response field "requested_at" matches "^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$"
    And the response matches the snapshot "job-submitted"

  Scenario: The expiry is the request time plus the ttl
    When I send POST "/v1/jobs" with body:
      """
      {"constraints": {"region": "{tag}"}, "payload": {"type": "inference", "prompt": "hello"}, "ttl_seconds": 120}
      """
    Then the response status is 201
    And "expires_at" is 120 seconds after "requested_at"

  Scenario: The ttl defaults to 900 seconds
    When I send POST "/v1/jobs" with body:
      """
      {"constraints": {"region": "{tag}"}, "payload": {"type": "inference", "prompt": "hello"}}
      """
    Then the response status is 201
    And "expires_at" is 900 seconds after "requested_at"
    And the response matches the snapshot "job-submitted-default-ttl"

  Scenario: A body without a payload is a validation error
    When I send POST "/v1/jobs" with body:
      """
      {"prompt": "x"}
      """
    Then the response status is 422
    And the response body contains:
      """
      {"error": {"code": "VALIDATION_ERROR", "message": "Request validation failed", "status": 422,
                 "details": [{"field": "body.payload", "message": "Field required", "code": "missing"}]},
       "request_id": null}
      """
    And the response matches the snapshot "payload-required"

  Scenario: Unknown fields are ignored
    When I send POST "/v1/jobs" with body:
      """
      {"payload": {"type": "inference", "prompt": "hi"}, "priority": "urgent", "constraints": {"region": "{tag}", "gpu": "A100"}}
      """
    Then the response status is 201
    And the response field "state" is "QUEUED"
    And the response matches the snapshot "job-submitted-unknown-fields"

  Scenario: Two submissions get two different job ids
    Given a job "A" submitted by the client
    When I send POST "/v1/jobs" with body:
      """
      {"constraints": {"region": "{tag}"}, "payload": {"type": "inference", "prompt": "second"}}
      """
    Then the response status is 201
    And the response field "job_id" matches "^[0-9a-f]{32}$"
    And I save the response field "job_id" as "B"
    When I send GET "/v1/jobs/{B}"
    Then the response field "job_id" is "{B}"
    When I send GET "/v1/jobs/{A}"
    Then the response field "job_id" is "{A}"
