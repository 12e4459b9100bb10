namespace LogPipeline.Formats;

/// <summary>Attribute keys that text formats map to fields of their own.</summary>
public static class WireAttributes
{
    /// <summary>Remote address of an access log line.</summary>
    public const string ClientIp = "client_ip";

    public const string UserAgent = "user_agent";

    public const string Referer = "referer";

    /// <summary>Process id: the syslog PROCID / TAG[PID].</summary>
    public const string Pid = "pid";
}
