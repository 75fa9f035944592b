@cli @era:api-key @live-serial
Feature: The miner commands of the user's aitbc CLI, end to end
  `aitbc miner mine` is how the released CLI posts results (it has no `miner result`).

  @command:miner-register
  Scenario: aitbc miner register registers the miner
    When I run aitbc "--output json miner register --gpu RTX-4090 --memory 24 --cuda-cores 16384" as "miner"
    Then aitbc sent "POST /v1/miners/register" and got 200

  @command:miner-heartbeat
  Scenario: aitbc miner heartbeat is accepted
    Given the miner is registered
    When I run aitbc "--output json miner heartbeat" as "miner"
    Then aitbc sent "POST /v1/miners/heartbeat" and got 200

  @command:miner-poll
  Scenario: aitbc miner poll asks for work
    Given the miner is registered
    When I run aitbc "--output json miner poll --wait 1" as "miner"
    Then aitbc sent "POST /v1/miners/poll" and got 204

  @command:miner-result
  Scenario: aitbc miner mine takes a queued job and posts its result
    Given the miner is registered
    And a job "A" submitted by the client
    When I run aitbc "--output json miner mine --jobs 1" as "miner"
    Then aitbc sent "POST /v1/miners/poll" and got 200
    And aitbc sent "POST /v1/miners/{job_id}/result" and got 200
