using CeAgent.Mqtt;
using CeAgent.Spool;
using CeAgent.Transport;

namespace CeAgent.Tests.Transport;

/// <summary>
/// The publisher's in-flight, acknowledgement, refusal and reconnect logic against an in-memory link (the
/// seam <see cref="IMqttLink"/>): no broker, no root. The test decides when the "broker" answers and what.
/// </summary>
public sealed class SpoolPublisherTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ce-pub-" + Guid.NewGuid().ToString("N"));
    private readonly DurableSpool _spool;
    private readonly FakeLink _link = new();
    private readonly ManualTime _time = new();

    public SpoolPublisherTests() => _spool = new DurableSpool(_dir, 1 << 20, 4096);

    public void Dispose()
    {
        _spool.Dispose();
        Directory.Delete(_dir, true);
    }

    private SpoolPublisher Publisher(int maxInflight = 4, RetainedState? online = null) =>
        new(_spool, _link, "ce/v1/ce-1/summary", online, maxInflight, TimeSpan.FromSeconds(60), _time);

    private void Append(int n)
    {
        ulong next = (_spool.Newest?.Seq ?? 0) + 1;
        for (int i = 0; i < n; i++)
            _spool.Append([new SpoolRecord(next + (ulong)i, [(byte)(next + (ulong)i), 1, 2, 3])]);
    }

    [Fact]
    public void Never_more_in_flight_than_the_bound_and_each_message_once()
    {
        Append(10);
        _link.Up = true;
        SpoolPublisher p = Publisher(maxInflight: 4);
        for (int i = 0; i < 5; i++)
            p.Pump();
        Assert.Equal(4, p.InFlight);
        Assert.Equal([1UL, 2, 3, 4], _link.Sent.Select(s => s.Seq));
        _link.Answer(2, 0);
        p.Pump();
        Assert.Equal(4, p.InFlight);
        Assert.Equal([1UL, 2, 3, 4, 5], _link.Sent.Select(s => s.Seq));
    }

    [Fact]
    public void Acknowledgements_in_any_order_remove_exactly_the_acknowledged_messages()
    {
        Append(6);
        _link.Up = true;
        SpoolPublisher p = Publisher(maxInflight: 6);
        p.Pump();
        foreach (ulong seq in new ulong[] { 5, 1, 3 })
            _link.Answer(seq, 0);
        p.Pump();
        Assert.Equal(3, p.Acknowledged);
        Assert.Equal([2UL, 4, 6], _spool.Pending(10).Select(r => r.Seq));
        Assert.Equal(3, p.InFlight);
        Assert.Equal(6, _link.Sent.Count); // nothing published twice while its answer is awaited
    }

    [Fact]
    public void A_refused_message_stays_in_the_spool_and_is_published_again_after_the_retry_delay()
    {
        Append(2);
        _link.Up = true;
        SpoolPublisher p = Publisher();
        p.Pump();
        _link.Answer(1, 0x87);
        _link.Answer(2, 0);
        p.Pump();
        Assert.Equal(1, p.Rejected);
        Assert.Equal(0x87, p.LastRefusal);
        Assert.Equal([1UL], _spool.Pending(10).Select(r => r.Seq));
        _time.Advance(TimeSpan.FromSeconds(59));
        p.Pump();
        Assert.Equal(2, _link.Sent.Count);
        _time.Advance(TimeSpan.FromSeconds(2));
        p.Pump();
        Assert.Equal([1UL, 2, 1], _link.Sent.Select(s => s.Seq));
        _link.Answer(1, 0);
        p.Pump();
        Assert.Equal(0, _spool.PendingCount);
    }

    [Fact]
    public void A_publish_cut_off_by_a_lost_connection_is_sent_again_after_the_reconnect()
    {
        Append(3);
        _link.Up = true;
        SpoolPublisher p = Publisher();
        p.Pump();
        _link.Drop(); // all three were in flight
        p.Pump();
        Assert.False(p.Connected);
        Assert.Equal(3, p.Interrupted);
        Assert.Equal(0, p.InFlight);
        Assert.Equal(1, _link.ConnectAttempts); // at once after a drop
        _link.CompleteConnect(true);
        p.Pump();
        Assert.True(p.Connected);
        Assert.Equal([1UL, 2, 3, 1, 2, 3], _link.Sent.Select(s => s.Seq));
        foreach (ulong seq in new ulong[] { 1, 2, 3 })
            _link.Answer(seq, 0);
        p.Pump();
        Assert.Equal(0, _spool.PendingCount);
    }

    [Fact]
    public void Failed_connection_attempts_back_off_exponentially_up_to_a_minute()
    {
        SpoolPublisher p = Publisher();
        var attemptsAt = new List<double>();
        for (int second = 0; second < 400; second++)
        {
            int before = _link.ConnectAttempts;
            p.Pump();
            if (_link.ConnectAttempts > before)
            {
                attemptsAt.Add(second);
                _link.CompleteConnect(false);
            }
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        double[] gaps = [.. attemptsAt.Zip(attemptsAt.Skip(1), (a, b) => b - a)];
        Assert.Equal([2, 3, 5, 9, 17, 33, 61, 61, 61], gaps.Take(9)); // 1, 2, 4 ... 60 s, polled each second
        Assert.Equal("broker unreachable", p.LastConnectError);
    }

    [Fact]
    public void The_online_state_is_retained_on_every_connection()
    {
        _link.Up = true;
        SpoolPublisher p = Publisher(online: new RetainedState("ce/v1/ce-1/state", [(byte)'{', (byte)'}']));
        p.Pump();
        p.Pump();
        Assert.Single(_link.Retained);
        _link.AnswerRetained(0);
        _link.Drop();
        p.Pump();
        _link.CompleteConnect(true);
        p.Pump();
        Assert.Equal(2, _link.Retained.Count);
    }

    [Fact]
    public void A_link_that_throws_instead_of_failing_its_task_is_handled_like_a_lost_publish()
    {
        Append(1);
        _link.Up = true;
        _link.ThrowOnPublish = true;
        SpoolPublisher p = Publisher();
        p.Pump();
        p.Pump();
        Assert.True(p.Interrupted >= 1);
        Assert.Equal(1, _spool.PendingCount);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        public void Advance(TimeSpan by) => _now += by;
        public override DateTimeOffset GetUtcNow() => _now;
    }

    /// <summary>A broker in memory: publishes wait until the test answers them, a drop fails what is in flight.</summary>
    private sealed class FakeLink : IMqttLink
    {
        private readonly List<(ulong Seq, TaskCompletionSource<int> Ack)> _open = [];
        private TaskCompletionSource? _connect;
        public bool Up { get; set; }
        public bool ThrowOnPublish { get; set; }
        public int ConnectAttempts { get; private set; }
        public List<(ulong Seq, byte[] Payload)> Sent { get; } = [];
        public List<TaskCompletionSource<int>> Retained { get; } = [];

        public bool IsConnected => Up;

        public Task ConnectAsync(CancellationToken ct)
        {
            ConnectAttempts++;
            _connect = new TaskCompletionSource();
            return _connect.Task;
        }

        public void CompleteConnect(bool ok)
        {
            Up = ok;
            if (ok)
                _connect!.SetResult();
            else
                _connect!.SetException(new IOException("broker unreachable"));
        }

        public Task<int> PublishAsync(string topic, byte[] payload, bool retain, CancellationToken ct)
        {
            if (ThrowOnPublish)
                throw new InvalidOperationException("not connected");
            var tcs = new TaskCompletionSource<int>();
            if (retain)
                Retained.Add(tcs);
            else
            {
                Sent.Add((payload[0], payload));
                _open.Add((payload[0], tcs));
            }
            return tcs.Task;
        }

        public void Answer(ulong seq, int reasonCode)
        {
            int i = _open.FindIndex(o => o.Seq == seq);
            _open[i].Ack.SetResult(reasonCode);
            _open.RemoveAt(i);
        }

        public void AnswerRetained(int reasonCode) => Retained[^1].TrySetResult(reasonCode);

        public void Drop()
        {
            Up = false;
            foreach (var (_, ack) in _open)
                ack.SetException(new IOException("connection lost"));
            _open.Clear();
            foreach (TaskCompletionSource<int> r in Retained)
                r.TrySetException(new IOException("connection lost"));
        }

        public void Dispose()
        {
        }
    }
}
