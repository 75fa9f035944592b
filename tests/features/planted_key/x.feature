@command:blockchain-head
Feature: A key written into a scenario's name
  The harness masks configured keys in what it reports; one that slips through anyway (here in
  a scenario name, which no redaction step sees) must be caught before the run ends.

  Scenario: A head read by client_dev_key_1_valid
    When I send GET "/rpc/head"
    Then the response status is 200
