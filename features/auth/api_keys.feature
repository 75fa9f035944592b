@command:auth-login @era:api-key
Feature: API keys and roles
  Every protected coordinator route takes the X-Api-Key of exactly one role: client, miner
  or admin. A missing, empty, unknown or other-role key gets 401 {"detail":"invalid api key"}
  (contract §2). The key is the identity: a client never sees another client's jobs.
  "Accepted" means any answer but 401/403: whether the route then works is judged by the
  command that owns it (a 500 behind the key check is `admin stats` broken, not auth).

  @read-only
  Scenario Outline: A client route refuses a <caller> key
    Given I authenticate as "<caller>"
    When I send GET "/v1/jobs/0123456789abcdef0123456789abcdef"
    Then the response status is 401
    And the response body is:
      """
      {"detail": "invalid api key"}
      """
    And the response matches the snapshot "invalid-api-key"

    Examples:
      | caller  |
      | none    |
      | empty   |
      | unknown |
      | miner   |
      | admin   |

  Scenario Outline: A miner route refuses a <caller> key
    Given I authenticate as "<caller>"
    When I send POST "/v1/miners/heartbeat" with body:
      """
      {"inflight": 0, "status": "ONLINE", "metadata": {}}
      """
    Then the response status is 401
    And the response body is:
      """
      {"detail": "invalid api key"}
      """
    And the response matches the snapshot "invalid-api-key"

    Examples:
      | caller  |
      | none    |
      | empty   |
      | unknown |
      | client  |
      | admin   |

  @read-only
  Scenario Outline: An admin route refuses a <caller> key
    Given I authenticate as "<caller>"
    When I send GET "/v1/admin/stats"
    Then the response status is 401
    And the response body is:
      """
      {"detail": "invalid api key"}
      """
    And the response matches the snapshot "invalid-api-key"

    Examples:
      | caller  |
      | none    |
      | empty   |
      | unknown |
      | client  |
      | miner   |

  Scenario: A client key is accepted on a client route
    Given I authenticate as "client"
    When I send POST "/v1/jobs" with body:
      """
      {"constraints": {"region": "{tag}"}, "payload": {"type": "inference", "prompt": "ping", "model": "llama3"}}
      """
    Then the credential is accepted

  @live-serial
  Scenario: A miner key is accepted on a miner route
    Given I authenticate as "miner"
    When I send POST "/v1/miners/heartbeat" with body:
      """
      {}
      """
    Then the credential is accepted

  @read-only
  Scenario: An admin key is accepted on an admin route
    Given I authenticate as "admin"
    When I send GET "/v1/admin/stats"
    Then the credential is accepted

  Scenario: Auth is checked before the body is validated
    Given I authenticate as "miner"
    When I send POST "/v1/jobs" with body:
      """
      {"prompt": "no payload here"}
      """
    Then the response status is 401
    And the response field "detail" is "invalid api key"

  @read-only
  Scenario Outline: An unknown route is 404 Not Found for a <caller> key
    Given I authenticate as "<caller>"
    When I send GET "/v1/no-such-route"
    Then the response status is 404
    And the response body is:
      """
      {"detail": "Not Found"}
      """
    And the response matches the snapshot "route-not-found"

    Examples:
      | caller |
      | client |
      | none   |

  Scenario: A job is invisible to another client key
    Given a job "A" submitted by the client
    And I authenticate as "other-client"
    When I send GET "/v1/jobs/{A}"
    Then the response status is 404
    And the response body is:
      """
      {"detail": "job not found"}
      """
    And the response matches the snapshot "job-not-found"

  Scenario: Another client cannot cancel someone else's job
    Given a job "A" submitted by the client
    And I authenticate as "other-client"
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 404
    And the response field "detail" is "job not found"
