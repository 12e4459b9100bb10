using System.Globalization;
using LogPipeline.Processor;
using LogPipeline.Testing;

namespace LogPipeline.Chaos;

/// <summary>
/// The processors of one consumer group, each its own process. A killed one is restarted at once; one
/// that exits by itself is counted and restarted too, as a supervisor would. A processor fenced out by
/// another (exit code 3) stopped by design; any other exit is a failure: the processor is meant never
/// to exit on its own.
/// </summary>
public sealed class ProcessorFleet(IDictionary<string, string?> settings, string folder, int size, Action<FormattableString> say) : IDisposable
{
    private readonly ProcessorProcess?[] _members = new ProcessorProcess?[size];

    public int Kills { get; private set; }

    public int UnexpectedExits { get; private set; }

    public int FencedExits { get; private set; }

    public void StartAll()
    {
        for (var i = 0; i < _members.Length; i++)
        {
            Start(i);
        }
    }

    /// <summary>SIGKILL one member chosen by <paramref name="random"/>, then starts it again.</summary>
    public void KillOne(Random random)
    {
        var i = random.Next(_members.Length);
        _members[i]?.KillHard();
        _members[i]?.Dispose();
        Kills++;
        say($"kill -9 processor {i} ({Kills} of the run)");
        Start(i);
    }

    /// <summary>Restarts any member that exited without being killed; call it often.</summary>
    public void Supervise()
    {
        for (var i = 0; i < _members.Length; i++)
        {
            if (_members[i] is { HasExited: true } exited)
            {
                if (exited.ExitCode == ProcessorWorker.FencedExitCode)
                {
                    FencedExits++;
                }
                else
                {
                    UnexpectedExits++;
                }

                say($"processor {i} exited by itself (code {exited.ExitCode}); restarted. See {exited.LogPath}");
                exited.Dispose();
                Start(i);
            }
        }
    }

    public void Dispose()
    {
        for (var i = 0; i < _members.Length; i++)
        {
            _members[i]?.Dispose(); // a hard kill: what is committed is in the store
            _members[i] = null;
        }
    }

    private void Start(int i) =>
        _members[i] = ProcessorProcess.Start(settings, Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"processor-{i}.log")));
}
