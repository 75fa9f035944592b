@command:miner-heartbeat @live-serial
Feature: Miner heartbeat
  `aitbc miner heartbeat` tells the coordinator the miner is alive; only a registered miner
  may send one (contract §5).

  Background:
    Given I authenticate as "miner"

  Scenario: A registered miner's heartbeats are accepted, full or empty
    Given the miner is registered
    When I send POST "/v1/miners/heartbeat" with body:
      """
      {"inflight": 0, "status": "ONLINE", "metadata": {"temp_c": 61}}
      """
    Then the response status is 200
    And the response body is:
      """
      {"status": "ok"}
      """
    And the response matches the snapshot "heartbeat"
    When I send POST "/v1/miners/heartbeat" with body:
      """
      {}
      """
    Then the response status is 200
    And the response field "status" is "ok"
    And the response matches the snapshot "heartbeat"

  @double-only
  Scenario: An unregistered miner's heartbeat is 404
    When I send POST "/v1/miners/heartbeat" with body:
      """
      {"inflight": 0, "status": "ONLINE", "metadata": {}}
      """
    Then the response status is 404
    And the response body is:
      """
      {"detail": "miner not registered"}
      """
    And the response matches the snapshot "not-registered"
