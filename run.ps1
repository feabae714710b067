#!/usr/bin/env pwsh
# Starts MiniApiServer in the foreground (Windows PowerShell or pwsh): builds it (Release) when the sources
# changed, then runs it with every argument given here. Same flags and behaviour as run.sh.
#   ./run.ps1                 serve on https://127.0.0.1:6443 with certs in ./certs and data in ./data
#   ./run.ps1 --help          every flag and subcommand with its default
$ErrorActionPreference = 'Stop'
$repo = $PSScriptRoot
if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine('run.ps1: the .NET 10 SDK is needed (dotnet on PATH): https://dotnet.microsoft.com/download')
    exit 1
}
$out = Join-Path $repo 'src/MiniApiServer/bin/Release/net10.0'
$dll = Join-Path $out 'MiniApiServer.dll'
$stamp = Join-Path $out '.run-built'
$needsBuild = -not (Test-Path $stamp)
if (-not $needsBuild) {
    $built = (Get-Item -Force $stamp).LastWriteTimeUtc
    $sources = @(Get-ChildItem -Path (Join-Path $repo 'src') -Recurse -File -Include *.cs, *.csproj, *.props, *.json |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }) +
        @(Get-Item (Join-Path $repo 'Directory.Build.props'), (Join-Path $repo 'Directory.Packages.props'))
    $needsBuild = [bool]($sources | Where-Object { $_.LastWriteTimeUtc -gt $built } | Select-Object -First 1)
}
if ($needsBuild) {
    [Console]::Error.WriteLine('run.ps1: building MiniApiServer (Release)...')
    $log = & dotnet build (Join-Path $repo 'src/MiniApiServer/MiniApiServer.csproj') -c Release -nologo -v quiet 2>&1
    if ($LASTEXITCODE -ne 0) { $log | ForEach-Object { [Console]::Error.WriteLine($_) }; exit $LASTEXITCODE }
    New-Item -ItemType File -Force -Path $stamp | Out-Null
}
& dotnet $dll @args
exit $LASTEXITCODE
