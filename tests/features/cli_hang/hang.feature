@cli @command:miner-result
Feature: A CLI command that never returns
  `aitbc miner mine` polls for ever when nothing is queued; the harness kills it at the timeout.

  Scenario: miner mine on an empty queue
    Given the miner is registered
    When I run aitbc "--output json miner mine --jobs 1" as "miner"
    Then aitbc sent "POST /v1/miners/{job_id}/result" and got 200
