from shenpi.cli import main

main()
