using System.Net;
using System.Net.Sockets;

namespace LogPipeline.Testing;

/// <summary>Free loopback TCP ports for the servers and processes tests start.</summary>
public static class LoopbackPort
{
    /// <summary>A port free at the time of the call (the caller's process binds it a moment later).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
