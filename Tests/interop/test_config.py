"""The configuration file and `--check-config`: the shipped file is the defaults, the command
line overrides it, unknown keys and bad values are refused with their line number."""
import os
import subprocess
import tempfile

from conftest import BINARY, ROOT

SHIPPED = os.path.join(ROOT, "etc", "pinhole", "pinhole.toml")


def check(*args):
    return subprocess.run([BINARY, "--check-config", *args], capture_output=True, text=True)


def write(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
    f.write(text)
    f.close()
    return f.name


def test_the_shipped_file_is_the_defaults():
    shipped = check("--config", SHIPPED)
    assert shipped.returncode == 0, shipped.stderr
    assert shipped.stdout == check("--config", write("# nothing\n")).stdout


def test_command_line_overrides_the_file():
    path = write('bitrate = 800  # kbit/s\nadvertise = ["203.0.113.7"]\nsize = "1280x720"\nfps = 20\n')
    out = check("--config", path, "--fps", "15", "--bitrate", "2500").stdout
    assert 'advertise = ["203.0.113.7"]' in out and 'size = "1280x720"' in out
    assert "fps = 15" in out and "bitrate = 2500" in out


def test_the_whip_table_and_its_token():
    path = write('fps = 20\n[whip]\nurl = "https://sfu.example.net/whip/cam1"\ntoken = "s3cret"\n')
    out = check("--config", path).stdout
    assert '[whip]\nurl = "https://sfu.example.net/whip/cam1"\n# token is set (not shown)' in out and "s3cret" not in out
    assert 'url = "http://127.0.0.1:9/whip"' in check("--config", path, "--whip", "http://127.0.0.1:9/whip").stdout
    refused = check("--config", write('[whip]\nurl = "rtmp://example.net/live"\n'))
    assert refused.returncode != 0 and "--whip" in refused.stderr
    bad_table = check("--config", write('fps = 20\n[wh ip]\n'))
    assert bad_table.returncode != 0 and "line 2" in bad_table.stderr


def test_errors_name_the_line():
    for text, line, words in [
        ("fps = 30\nbitrat = 800\n", 2, "unknown key"),
        ("fps = \"thirty\"\n", 1, "takes a number"),
        ("\n\nsize = \"640\"\n", 3, "WxH"),
        ("video = \"/dev/video0\nx", 1, "unterminated"),
        ("fps = 10\nfps = 20\n", 2, "twice"),
    ]:
        result = check("--config", write(text))
        assert result.returncode != 0
        assert f"line {line}" in result.stderr and words in result.stderr, result.stderr
    bad_value = check("--config", write("fps = 500\n"))
    assert bad_value.returncode != 0 and "--fps" in bad_value.stderr


def test_ice_servers_are_checked_and_their_credentials_not_printed():
    path = write('ice_servers = ["stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp,username=pi,credential=s3cret"]\n')
    out = check("--config", path)
    assert out.returncode == 0, out.stderr
    assert 'ice_servers = ["stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp,username=pi,credential=(hidden)"]' in out.stdout
    assert "s3cret" not in out.stdout
    for bad, words in [("http://127.0.0.1", "stun:"), ("turn:127.0.0.1:3478", "needs username"), ("stun:127.0.0.1,colour=red", "username=U")]:
        result = check("--ice-server", bad)
        assert result.returncode != 0 and "--ice-server" in result.stderr and words in result.stderr, result.stderr
