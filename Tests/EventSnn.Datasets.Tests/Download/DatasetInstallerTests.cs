using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using EventSnn.Datasets.Download;

namespace EventSnn.Datasets.Tests.Download;

[SuppressMessage("Security", "CA5351", Justification = "MD5 is the publishers' integrity checksum under test.")]
public sealed class DatasetInstallerTests
{
    private static FileChecksum Md5Of(byte[] data) => FileChecksum.Md5(Convert.ToHexStringLower(MD5.HashData(data)));

    private static DatasetInstaller Installer(HttpClient http) =>
        new(new FileDownloader(http, new DownloadOptions { RetryDelay = TimeSpan.Zero, MaxAttempts = 3 }));

    [Fact]
    public async Task Installs_once_then_works_offline_from_the_marker()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        string zipPath = dir.Combine("src.zip");
        byte[] a = TestData.Bytes(2000, 1);
        ArchiveExtractorTests.WriteZip(zipPath, ("Train/3/a.bin", a));
        byte[] zip = File.ReadAllBytes(zipPath);
        var archive = new DatasetArchive(new RemoteFile(server.Add("train.zip", zip), "train.zip", Md5Of(zip)));
        string root = dir.Combine("root");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await Installer(http).InstallAsync(root, [archive]);

        Assert.Equal(a, File.ReadAllBytes(Path.Combine(root, "Train", "3", "a.bin")));
        Assert.True(DatasetInstaller.IsInstalled(root, archive));
        Assert.Equal(archive.Remote.Checksum + "\n", File.ReadAllText(DatasetInstaller.MarkerPath(root, archive)));
        Assert.Equal(1, server.RequestCount);

        // Second run: marker present, no request at all, even with the archive gone.
        File.Delete(Path.Combine(root, "train.zip"));
        await Installer(http).InstallAsync(root, [archive]);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Removed_contents_are_unpacked_again_from_the_verified_archive_without_a_request()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        string zipPath = dir.Combine("src.zip");
        byte[] a = TestData.Bytes(1500, 4);
        ArchiveExtractorTests.WriteZip(zipPath, ("Test/1/a.bin", a));
        byte[] zip = File.ReadAllBytes(zipPath);
        var archive = new DatasetArchive(new RemoteFile(server.Add("test.zip", zip), "test.zip", Md5Of(zip)));
        string root = dir.Combine("root");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await Installer(http).InstallAsync(root, [archive]);
        Directory.Delete(Path.Combine(root, "Test"), recursive: true);

        await Installer(http).InstallAsync(root, [archive]);
        Assert.False(Directory.Exists(Path.Combine(root, "Test")));

        await Installer(http).InstallAsync(root, [archive], ignoreMarkers: true);
        Assert.Equal(a, File.ReadAllBytes(Path.Combine(root, "Test", "1", "a.bin")));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Nested_archives_are_verified_and_unpacked()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        byte[] dat = TestData.Bytes(800, 2);
        string inner = dir.Combine("n-cars_train.zip");
        ArchiveExtractorTests.WriteZip(inner, ("train/cars/obj_004396_td.dat", dat));
        byte[] innerBytes = File.ReadAllBytes(inner);
        string outer = dir.Combine("outer.zip");
        ArchiveExtractorTests.WriteZip(outer, ("Prophesee_Dataset_n_cars/n-cars_train.zip", innerBytes));
        byte[] outerBytes = File.ReadAllBytes(outer);
        var archive = new DatasetArchive(new RemoteFile(server.Add("o.zip", outerBytes), "o.zip", Md5Of(outerBytes)))
        {
            Nested = [new NestedArchive("Prophesee_Dataset_n_cars/n-cars_train.zip", Md5Of(innerBytes))],
        };
        string root = dir.Combine("root");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await Installer(http).InstallAsync(root, [archive]);

        Assert.Equal(dat, File.ReadAllBytes(Path.Combine(root, "Prophesee_Dataset_n_cars", "train", "cars", "obj_004396_td.dat")));
        Assert.False(File.Exists(Path.Combine(root, "Prophesee_Dataset_n_cars", "n-cars_train.zip")));
    }

    [Fact]
    public async Task A_nested_archive_is_found_by_name_when_the_outer_archive_adds_a_folder()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        byte[] dat = TestData.Bytes(300, 5);
        string inner = dir.Combine("n-cars_test.zip");
        ArchiveExtractorTests.WriteZip(inner, ("test/background/obj_000001_td.dat", dat));
        byte[] innerBytes = File.ReadAllBytes(inner);
        string outer = dir.Combine("outer.zip");
        ArchiveExtractorTests.WriteZip(outer, ("Prophesee_Dataset_n_cars/n-cars_test.zip", innerBytes));
        byte[] outerBytes = File.ReadAllBytes(outer);
        var archive = new DatasetArchive(new RemoteFile(server.Add("o.zip", outerBytes), "o.zip", Md5Of(outerBytes)))
        {
            Nested = [new NestedArchive("n-cars_test.zip", Md5Of(innerBytes)) { ExtractTo = "n-cars_test" }],
        };
        string root = dir.Combine("root");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await Installer(http).InstallAsync(root, [archive]);

        Assert.Equal(dat, File.ReadAllBytes(Path.Combine(root, "n-cars_test", "test", "background", "obj_000001_td.dat")));
    }

    [Fact]
    public async Task A_nested_archive_with_a_wrong_checksum_is_rejected_without_a_marker()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        string inner = dir.Combine("in.zip");
        ArchiveExtractorTests.WriteZip(inner, ("a.bin", [1, 2, 3]));
        string outer = dir.Combine("outer.zip");
        ArchiveExtractorTests.WriteZip(outer, ("in.zip", File.ReadAllBytes(inner)));
        byte[] outerBytes = File.ReadAllBytes(outer);
        var archive = new DatasetArchive(new RemoteFile(server.Add("o.zip", outerBytes), "o.zip", Md5Of(outerBytes)))
        {
            Nested = [new NestedArchive("in.zip", Md5Of([9, 9, 9]))],
        };
        string root = dir.Combine("root");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => Installer(http).InstallAsync(root, [archive]));

        Assert.Contains("in.zip", ex.Message, StringComparison.Ordinal);
        Assert.False(DatasetInstaller.IsInstalled(root, archive));
        Assert.False(File.Exists(Path.Combine(root, "a.bin")));
    }

    [Fact]
    public async Task A_traversal_archive_is_rejected_and_leaves_no_marker_and_no_content()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        string zipPath = dir.Combine("evil.zip");
        ArchiveExtractorTests.WriteZip(zipPath, ("Train/ok.bin", [1]), ("../../escaped.bin", [2]));
        byte[] zip = File.ReadAllBytes(zipPath);
        var archive = new DatasetArchive(new RemoteFile(server.Add("evil.zip", zip), "evil.zip", Md5Of(zip)));
        string root = dir.Combine("a", "root");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await Assert.ThrowsAsync<UnsafeArchiveException>(() => Installer(http).InstallAsync(root, [archive]));

        Assert.False(DatasetInstaller.IsInstalled(root, archive));
        Assert.False(Directory.Exists(Path.Combine(root, "Train")));
        Assert.False(File.Exists(dir.Combine("escaped.bin")));
        Assert.False(File.Exists(dir.Combine("a", "escaped.bin")));
    }

    [Fact]
    public async Task A_checksum_mismatch_leaves_no_marker_and_no_archive()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(3000, 3);
        var archive = new DatasetArchive(new RemoteFile(server.Add("x.zip", data), "x.zip", Md5Of([1, 2, 3])));
        string root = dir.Combine("root");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await Assert.ThrowsAsync<DatasetDownloadException>(() => Installer(http).InstallAsync(root, [archive]));

        Assert.False(DatasetInstaller.IsInstalled(root, archive));
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }
}
