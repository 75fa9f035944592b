@command:admin-stats @live-serial
Feature: Admin statistics
  `aitbc admin stats` and the admin job and miner lists agree with what happened
  (contract §6).

  Background:
    Given I authenticate as "admin"

  @double-only @read-only
  Scenario: A fresh coordinator has nothing to count
    When I send GET "/v1/admin/stats"
    Then the response status is 200
    And the response body is:
      """
      {"total_jobs": 0, "active_jobs": 0, "online_miners": 0, "avg_miner_job_duration_ms": 0}
      """
    And the response matches the snapshot "stats-empty"

  Scenario: Submitted jobs are counted as total and active
    Given I note the admin stats
    And a job "A" submitted by the client
    And a job "B" submitted by the client
    When I send GET "/v1/admin/stats"
    Then the response status is 200
    And the admin stat "total_jobs" grew by 2 since I noted them
    And the admin stat "active_jobs" grew by 2 since I noted them
    And the response matches the snapshot "stats"

  @double-only
  Scenario: A registered miner is counted online
    Given the miner is registered
    When I send GET "/v1/admin/stats"
    Then the response status is 200
    And the response field "online_miners" is 1

  Scenario: Finished and cancelled jobs are no longer active
    Given I note the admin stats
    And a job "A" submitted by the client
    And a job "B" submitted by the client
    And a job "C" submitted by the client
    And the miner is registered
    And the miner has taken job "A"
    And the miner has completed job "A"
    And I authenticate as "client"
    When I send POST "/v1/jobs/{B}/cancel"
    Then the response status is 200
    Given I authenticate as "admin"
    When I send GET "/v1/admin/stats"
    Then the admin stat "total_jobs" grew by 3 since I noted them
    And the admin stat "active_jobs" grew by 1 since I noted them

  Scenario: The admin job list is newest first
    Given a job "A" submitted by the client
    And a job "B" submitted by the client
    When I send GET "/v1/admin/jobs"
    Then the response status is 200
    And the response field "items.0.job_id" is "{B}"
    And the response field "items.1.job_id" is "{A}"
    And the response field "items.1.state" is "QUEUED"

  @double-only
  Scenario: The admin miner list counts completed jobs
    Given a job "A" submitted by the client
    And the miner is registered
    And the miner has taken job "A"
    And the miner has completed job "A"
    When I send GET "/v1/admin/miners"
    Then the response status is 200
    And the response field "items" has 1 item
    And the response field "items.0.jobs_completed" is 1
    And the response field "items.0.inflight" is 0
    And the response field "items.0.last_receipt_id" matches "^[0-9a-f]{32}$" or is null
