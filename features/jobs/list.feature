@command:ai-jobs @era:jwt
Feature: Listing a client's jobs (JWT era)
  `aitbc ai jobs --limit N --status S` reads GET /v1/jobs?limit=&status=: the caller's own jobs,
  newest first, as `{"items": [JobView…], "total", "limit", "offset"}`; a status names a job
  state in any case, and one that names none filters nothing (c27c6545b, `client.list_jobs`).

  Background:
    Given I authenticate as "client"

  Scenario: The client's new job is listed
    Given a job "A" submitted by the client
    When I send GET "/v1/jobs?limit=100"
    Then the response status is 200
    And the list "items" has an item with "job_id" equal to "{A}"
    And the response field "limit" is 100
    And the response field "offset" is 0
    And the response field "total" holds a whole number

  Scenario: A status filter lists only the jobs in that state
    Given a job "A" submitted by the client
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 200
    When I send GET "/v1/jobs?limit=100&status=canceled"
    Then the response status is 200
    And the list "items" has an item with "job_id" equal to "{A}"
    And each item of "items" has "state" equal to "CANCELED"
    When I send GET "/v1/jobs?limit=100&status=queued"
    Then the list "items" has no item with "job_id" equal to "{A}"

  Scenario: Another client's job is not listed
    Given a job "A" submitted by the client
    Given I authenticate as "other-client"
    When I send GET "/v1/jobs?limit=100"
    Then the response status is 200
    And the list "items" has no item with "job_id" equal to "{A}"

  @read-only
  Scenario: Without a credential the list is refused
    Given I authenticate as "none"
    When I send GET "/v1/jobs"
    Then the response status is 401
    And the response field "detail" is "Authentication required"
