var builder = DistributedApplication.CreateBuilder(args);

var kafka = builder.AddKafka("kafka")
    .WithKafkaUI();

var mariaDbPassword = builder.AddParameter("mariadb-password", secret: true);
var logsDb = builder.AddMySql("mariadb", mariaDbPassword)
    .WithImage("mariadb", "11.4")
    .WithDataVolume()
    .AddDatabase("logsdb");

builder.AddProject<Projects.LogPipeline_Producer>("producer")
    .WithReference(kafka)
    .WaitFor(kafka);

builder.AddProject<Projects.LogPipeline_Processor>("processor")
    .WithReference(kafka)
    .WithReference(logsDb)
    .WaitFor(kafka)
    .WaitFor(logsDb);

builder.AddProject<Projects.LogPipeline_Api>("api")
    .WithReference(logsDb)
    .WaitFor(logsDb)
    .WithExternalHttpEndpoints();

builder.Build().Run();
