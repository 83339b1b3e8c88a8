using System.Net;
using System.Net.Sockets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace CeAgent.TestKit;

/// <summary>
/// A second broker implementation (MQTTnet.Server, in process, plain TCP on loopback) for what mosquitto
/// cannot show: mosquitto grants every subscription and filters per message, so a SUBACK that refuses a
/// filter only comes from here. Filters starting with <c>refusedPrefix</c> are answered "not authorised";
/// shared subscriptions ($share/...) it refuses by itself (0x9e: MQTTnet's server does not implement them).
/// </summary>
public sealed class RefusingBroker : IDisposable
{
    private readonly MqttServer _server;
    public int Port { get; }
    public List<string> Refused { get; } = [];

    public RefusingBroker(string refusedPrefix)
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        Port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        MqttServerOptions options = new MqttServerOptionsBuilder().WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(Port).Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.InterceptingSubscriptionAsync += e =>
        {
            if (e.TopicFilter.Topic.StartsWith(refusedPrefix, StringComparison.Ordinal))
            {
                lock (Refused)
                    Refused.Add(e.TopicFilter.Topic);
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
                e.ProcessSubscription = false;
            }
            return Task.CompletedTask;
        };
        _server.StartAsync().GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _server.StopAsync().GetAwaiter().GetResult();
        _server.Dispose();
    }
}
