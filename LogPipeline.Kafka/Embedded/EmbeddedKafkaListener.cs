using System.Net;
using System.Net.Sockets;

namespace LogPipeline.Kafka.Embedded;

/// <summary>
/// Puts an <see cref="EmbeddedKafka"/> broker on a port chosen by the caller (an orchestrator hands
/// one out before the process starts), which librdkafka's mock cluster cannot do: it binds a random
/// port. Connections to the chosen port are relayed byte for byte to the broker's own port, and the
/// broker advertises the chosen port in its metadata, so clients only ever connect here.
/// </summary>
public sealed class EmbeddedKafkaListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _broker;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;

    private EmbeddedKafkaListener(TcpListener listener, IPEndPoint broker)
    {
        _listener = listener;
        _broker = broker;
        _acceptLoop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// Listens on 127.0.0.1:<paramref name="port"/> for the single broker of <paramref name="kafka"/>.
    /// A busy port throws a <see cref="SocketException"/> here, before anything else starts.
    /// </summary>
    public static EmbeddedKafkaListener Start(EmbeddedKafka kafka, int port)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        var bootstrap = kafka.BootstrapServers.Split(',')[0];
        var broker = IPEndPoint.Parse(bootstrap);
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        kafka.AdvertiseBroker(1, IPAddress.Loopback.ToString(), ((IPEndPoint)listener.LocalEndpoint).Port);
        return new EmbeddedKafkaListener(listener, broker);
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    // Each connection is two pumps; either side closing ends both. Relay errors end only that connection,
    // as a broker's socket error would.
    private async Task RelayAsync(Socket client)
    {
        using (client)
        using (var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(_broker, _stopping.Token);
                using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                var first = await Task.WhenAny(PumpAsync(client, upstream, connection.Token), PumpAsync(upstream, client, connection.Token));
                await connection.CancelAsync();
                await first;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _stopping.Dispose();
    }
}
