using System.Formats.Tar;
using System.IO.Compression;
using EventSnn.Datasets.Download;

namespace EventSnn.Datasets.Tests.Download;

public sealed class ArchiveExtractorTests
{
    internal static void WriteZip(string path, params (string Name, byte[]? Data)[] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach ((string name, byte[]? data) in entries)
        {
            ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Fastest);
            if (data is not null)
            {
                using Stream s = entry.Open();
                s.Write(data);
            }
        }
    }

    internal static void WriteTar(string path, bool gzip, params TarEntry[] entries)
    {
        using var fs = File.Create(path);
        using Stream stream = gzip ? new GZipStream(fs, CompressionLevel.Fastest) : fs;
        using var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        foreach (TarEntry entry in entries)
        {
            writer.WriteEntry(entry);
        }
    }

    internal static PaxTarEntry TarFile(string name, byte[] data) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };

    [Fact]
    public void Extracts_a_zip_with_folders_and_files()
    {
        using var dir = new TempFolder();
        byte[] a = TestData.Bytes(1000, 1);
        byte[] b = TestData.Bytes(70_000, 2);
        string zip = dir.Combine("x.zip");
        WriteZip(zip, ("Train/", null), ("Train/3/00001.bin", a), ("Train/4/00002.bin", b), ("./Test/empty.bin", []));

        ExtractionResult result = ArchiveExtractor.Extract(zip, dir.Combine("out"));

        Assert.Equal(a, File.ReadAllBytes(dir.Combine("out", "Train", "3", "00001.bin")));
        Assert.Equal(b, File.ReadAllBytes(dir.Combine("out", "Train", "4", "00002.bin")));
        Assert.Empty(File.ReadAllBytes(dir.Combine("out", "Test", "empty.bin")));
        Assert.Equal(3, result.Files);
        Assert.Equal(1, result.Directories);
        Assert.Equal(a.Length + b.Length, result.Bytes);
        // No staging folder is left behind.
        Assert.Equal([dir.Combine("out")], Directory.GetDirectories(dir.Path));
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("good/../../evil.txt")]
    [InlineData("good\\..\\..\\evil.txt")]
    [InlineData("/tmp/evil.txt")]
    [InlineData("C:/evil.txt")]
    [InlineData("\\\\server\\share\\evil.txt")]
    public void Zip_path_traversal_is_rejected_and_nothing_is_written(string name)
    {
        using var dir = new TempFolder();
        string zip = dir.Combine("bad.zip");
        WriteZip(zip, ("ok/first.txt", [1, 2, 3]), (name, [4, 5, 6]));

        var ex = Assert.Throws<UnsafeArchiveException>(() => ArchiveExtractor.Extract(zip, dir.Combine("out")));

        Assert.Equal(name, ex.EntryName);
        Assert.Contains(zip, ex.Message, StringComparison.Ordinal);
        // All-or-nothing: not even the good entry is in place, and no staging folder remains.
        Assert.False(Directory.Exists(dir.Combine("out")));
        Assert.Equal([zip], Directory.GetFileSystemEntries(dir.Path));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "evil.txt")) && File.GetLastWriteTimeUtc(Path.Combine(Path.GetTempPath(), "evil.txt")) > DateTime.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public void Extracts_tar_gz_with_an_internal_symbolic_link_and_a_hard_link()
    {
        using var dir = new TempFolder();
        byte[] a = TestData.Bytes(3000, 3);
        string tgz = dir.Combine("x.tar.gz");
        WriteTar(
            tgz,
            gzip: true,
            new PaxTarEntry(TarEntryType.Directory, "DvsGesture/"),
            TarFile("DvsGesture/user01_natural.aedat", a),
            new PaxTarEntry(TarEntryType.SymbolicLink, "DvsGesture/latest.aedat") { LinkName = "user01_natural.aedat" },
            new PaxTarEntry(TarEntryType.HardLink, "DvsGesture/copy.aedat") { LinkName = "DvsGesture/user01_natural.aedat" });

        ExtractionResult result = ArchiveExtractor.Extract(tgz, dir.Combine("out"));

        Assert.Equal(a, File.ReadAllBytes(dir.Combine("out", "DvsGesture", "user01_natural.aedat")));
        Assert.Equal(a, File.ReadAllBytes(dir.Combine("out", "DvsGesture", "latest.aedat")));
        Assert.Equal(a, File.ReadAllBytes(dir.Combine("out", "DvsGesture", "copy.aedat")));
        Assert.Equal("user01_natural.aedat", new FileInfo(dir.Combine("out", "DvsGesture", "latest.aedat")).LinkTarget);
        Assert.Equal(1, result.Files);
        Assert.Equal(2, result.Links);
    }

    [Theory]
    [InlineData("../../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../../x")]
    public void Tar_symbolic_links_escaping_the_root_are_rejected(string target)
    {
        using var dir = new TempFolder();
        string tar = dir.Combine("x.tar");
        WriteTar(
            tar,
            gzip: false,
            TarFile("data/a.bin", [1]),
            new PaxTarEntry(TarEntryType.SymbolicLink, "data/link") { LinkName = target });

        var ex = Assert.Throws<UnsafeArchiveException>(() => ArchiveExtractor.Extract(tar, dir.Combine("out")));

        Assert.Equal("data/link", ex.EntryName);
        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("out")));
    }

    [Fact]
    public void Tar_hard_links_to_outside_names_are_rejected()
    {
        using var dir = new TempFolder();
        string tar = dir.Combine("x.tar");
        WriteTar(tar, gzip: false, new PaxTarEntry(TarEntryType.HardLink, "h") { LinkName = "../../etc/passwd" });

        Assert.Throws<UnsafeArchiveException>(() => ArchiveExtractor.Extract(tar, dir.Combine("out")));
        Assert.False(Directory.Exists(dir.Combine("out")));
    }

    [Fact]
    public void Tar_entry_names_with_traversal_are_rejected()
    {
        using var dir = new TempFolder();
        string tar = dir.Combine("x.tar");
        WriteTar(tar, gzip: false, TarFile("ok.bin", [1]), TarFile("../escape.bin", [2]));

        var ex = Assert.Throws<UnsafeArchiveException>(() => ArchiveExtractor.Extract(tar, dir.Combine("out")));

        Assert.Equal("../escape.bin", ex.EntryName);
        Assert.False(File.Exists(dir.Combine("escape.bin")));
        Assert.False(Directory.Exists(dir.Combine("out")));
    }

    [Fact]
    public void Writing_through_an_internal_link_to_a_folder_stays_inside()
    {
        using var dir = new TempFolder();
        string tar = dir.Combine("x.tar");
        // "sub" links to "real" (inside), then "sub/f.bin" is written: it lands in real/f.bin.
        WriteTar(
            tar,
            gzip: false,
            new PaxTarEntry(TarEntryType.Directory, "real/"),
            new PaxTarEntry(TarEntryType.SymbolicLink, "sub") { LinkName = "real" },
            TarFile("sub/f.bin", [9, 8]));

        ArchiveExtractor.Extract(tar, dir.Combine("out"));

        Assert.Equal([9, 8], File.ReadAllBytes(dir.Combine("out", "real", "f.bin")));
    }

    [Fact]
    public void Size_limits_count_the_bytes_actually_unpacked()
    {
        using var dir = new TempFolder();
        string zip = dir.Combine("bomb.zip");
        // 4 MiB of zeros compresses to a few KiB.
        WriteZip(zip, ("zeros.bin", new byte[4 << 20]));

        var perEntry = Assert.Throws<UnsafeArchiveException>(() =>
            ArchiveExtractor.Extract(zip, dir.Combine("out"), limits: new ExtractionLimits { MaxEntryBytes = 1 << 20 }));
        Assert.Contains("per entry", perEntry.Message, StringComparison.Ordinal);

        var total = Assert.Throws<UnsafeArchiveException>(() =>
            ArchiveExtractor.Extract(zip, dir.Combine("out"), limits: new ExtractionLimits { MaxTotalBytes = 1 << 20 }));
        Assert.Contains("allowed", total.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("out")));
    }

    [Fact]
    public void Entry_count_is_bounded()
    {
        using var dir = new TempFolder();
        string zip = dir.Combine("many.zip");
        WriteZip(zip, [.. Enumerable.Range(0, 20).Select(i => ($"f{i}.bin", (byte[]?)new byte[] { (byte)i }))]);

        Assert.Throws<UnsafeArchiveException>(() =>
            ArchiveExtractor.Extract(zip, dir.Combine("out"), limits: new ExtractionLimits { MaxEntries = 10 }));
        ExtractionResult ok = ArchiveExtractor.Extract(zip, dir.Combine("out"), limits: new ExtractionLimits { MaxEntries = 20 });
        Assert.Equal(20, ok.Files);
    }

    [Fact]
    public void Single_gzip_files_unpack_to_the_name_without_gz()
    {
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(10_000, 4);
        string gz = dir.Combine("shd_test.h5.gz");
        using (var fs = File.Create(gz))
        using (var z = new GZipStream(fs, CompressionLevel.Fastest))
        {
            z.Write(data);
        }

        ArchiveExtractor.Extract(gz, dir.Combine("out"));

        Assert.Equal(data, File.ReadAllBytes(dir.Combine("out", "shd_test.h5")));
    }

    [Fact]
    public void Corrupt_archives_fail_and_leave_nothing()
    {
        using var dir = new TempFolder();
        string zip = dir.Combine("corrupt.zip");
        File.WriteAllBytes(zip, TestData.Bytes(500, 5));

        Assert.ThrowsAny<InvalidDataException>(() => ArchiveExtractor.Extract(zip, dir.Combine("out")));
        Assert.Equal([zip], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Merges_into_an_existing_folder_keeping_other_content()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.Combine("out", "Train"));
        File.WriteAllBytes(dir.Combine("out", "Train", "keep.bin"), [7]);
        string zip = dir.Combine("x.zip");
        WriteZip(zip, ("Train/new.bin", [1]));

        ArchiveExtractor.Extract(zip, dir.Combine("out"));

        Assert.Equal([7], File.ReadAllBytes(dir.Combine("out", "Train", "keep.bin")));
        Assert.Equal([1], File.ReadAllBytes(dir.Combine("out", "Train", "new.bin")));
    }
}
