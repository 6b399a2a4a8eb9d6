using EventSnn.Samples.LineFollower;

namespace EventSnn.Samples.Tests;

public sealed class LineFollowerSampleTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "eventsnn-line-" + Guid.NewGuid().ToString("N"));

    public LineFollowerSampleTests() => Directory.CreateDirectory(_out);

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public void The_network_keeps_the_vehicle_on_the_line_and_the_trajectory_is_drawn()
    {
        var options = new LineFollowerOptions { Ticks = 3_000, PngPath = Path.Combine(_out, "path.png") };
        LineFollowerResult r = LineFollowerRunner.Run(options);

        // The line never left the camera's view and the vehicle advanced along the track by (nearly) what it drove.
        Assert.True(r.MaxTrackError < r.ViewHalfWidth, $"max distance to the line {r.MaxTrackError:F3} m, camera half view {r.ViewHalfWidth:F3} m");
        Assert.True(r.Progress >= 0.9 * r.Travelled, $"covered {r.Progress:F3} m of track while driving {r.Travelled:F3} m");
        Assert.True(r.StayedOnLine);
        Assert.Equal(options.Speed * options.Ticks * 1e-3, r.Travelled, 1e-9);
        Assert.True(r.CameraEvents > 0 && r.MotorSpikes > 0);
        Assert.True(r.MaxWheelSpeed > options.Speed, "the network steered (one wheel ran faster than the base speed)");
        byte[] head = File.ReadAllBytes(r.PngPath!)[..8];
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], head);
    }

    [Fact]
    public void Without_the_network_the_vehicle_loses_the_line()
    {
        LineFollowerResult r = LineFollowerRunner.Run(new LineFollowerOptions { Ticks = 2_500, OpenLoop = true });
        Assert.False(r.StayedOnLine, $"open loop: max distance {r.MaxTrackError:F3} m, half view {r.ViewHalfWidth:F3} m");
        Assert.True(r.MaxTrackError >= r.ViewHalfWidth);
    }

    [Theory]
    [InlineData("--seconds", "x", "--seconds must be a number")]
    [InlineData("--seconds", "0", "--seconds must be a number")]
    [InlineData("--speed", "2", "unknown argument '--speed'")]
    public void A_bad_argument_is_one_line_and_exit_code_2(string flag, string value, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(2, LineFollower.Program.Run([flag, value], output, error));
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("line-follower: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_output_folder_is_one_line_and_exit_code_1()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(1, LineFollower.Program.Run(["--seconds", "0.01", "--out", Path.Combine(_out, "none", "p.png")], output, error));
        Assert.Contains("does not exist", error.ToString(), StringComparison.Ordinal);
    }
}
