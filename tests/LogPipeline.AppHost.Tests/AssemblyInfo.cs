// Each pipeline test runs the orchestrator, embedded Kafka, a store and four services on a 2-core
// machine: one at a time, so each gets the machine and its timings mean something.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
