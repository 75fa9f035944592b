# Snapshot-only scenarios for tests/cli/snapshots.rs: they check nothing else, so a change in a
# response is caught by the snapshot alone.
Feature: Job views as snapshots

  @command:client-submit
  Scenario: A submitted job
    Given I authenticate as "client"
    When I send POST "/v1/jobs" with body:
      """
      {"payload": {"type": "inference", "prompt": "snap"}, "constraints": {"region": "{tag}"}}
      """
    Then the response matches the snapshot "submitted"

  @command:client-status
  Scenario: The status of the submitted job names the same job
    Given a job "A" submitted by the client
    And I authenticate as "client"
    When I send GET "/v1/jobs/{A}"
    Then the response matches the snapshot "status"
