@command:miner-register @live-serial
Feature: Registering a miner
  `aitbc miner register` posts the miner's capabilities; registration is an upsert that
  resets inflight and sets the miner ONLINE (contract §5).

  Background:
    Given I authenticate as "miner"

  Scenario: A miner registers and gets a session token
    When I send POST "/v1/miners/register" with body:
      """
      {"capabilities": {"gpus": [{"name": "RTX 4090", "memory_mb": 24576}], "models": ["llama3"]}, "concurrency": 2, "region": "eu-west"}
      """
    Then the response status is 200
    And the response field "status" is "ok"
    And the response field "session_token" matches "^[0-9a-f]{32}$"
    And the response matches the snapshot "registered"

  Scenario: Capabilities are required
    When I send POST "/v1/miners/register" with body:
      """
      {"concurrency": 1}
      """
    Then the response status is 422
    And the response body contains:
      """
      {"error": {"code": "VALIDATION_ERROR", "details": [{"field": "body.capabilities", "code": "missing"}]}}
      """
    And the response matches the snapshot "capabilities-required"

  Scenario: Registering again is an upsert that frees the miner's slots
    Given a job "A" submitted by the client
    And a job "B" submitted by the client
    And the miner is registered
    And the miner has taken job "A"
    When I send POST "/v1/miners/register" with body:
      """
      {"capabilities": {"gpus": [{"name": "RTX 4090", "memory_mb": 24576}], "models": ["llama3"]}, "concurrency": 1, "region": "{tag}"}
      """
    Then the response status is 200
    And the miner is handed job "B"
