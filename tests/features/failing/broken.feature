# A deliberately failing feature set: the double honours the contract, these expectations do not.
Feature: Expectations the contract does not make

  @command:client-submit
  Scenario: A new job is said to be running already
    Given I authenticate as "client"
    When I send POST "/v1/jobs" with body:
      """
      {"payload": {"prompt": "x"}}
      """
    Then the response status is 201
    And the response field "state" is "RUNNING"

  @command:client-submit
  Scenario: A route that does not exist is expected to accept jobs
    Given I authenticate as "client"
    When I send POST "/v1/jobz" with body:
      """
      {"payload": {"prompt": "x"}}
      """
    Then the response status is 201

  @command:admin-stats
  Scenario: The admin job list is compared with a wrong body, echoing client keys
    Given a job "A" submitted by the client
    And I authenticate as "admin"
    When I send GET "/v1/admin/jobs"
    Then the response status is 200
    And the response body is:
      """
      {"items": []}
      """

  @command:blockchain-head
  Scenario: The head is readable
    When I send GET "/rpc/head"
    Then the response status is 200
