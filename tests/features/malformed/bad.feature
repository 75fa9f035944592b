Feature: Not quite Gherkin

  Scenario: fine so far
    Given I authenticate as "client"
  This line is neither a step nor a keyword
    When I send GET "/v1/jobs/x"
